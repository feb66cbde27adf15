#pragma once

// What pt2run serve answers, without sockets: the KServe v2 endpoints (health, server and model
// metadata, readiness, infer) and the model repository extension (index, load, unload) over
// the models it serves. The HTTP transport turns each request into an HttpRequest, calls
// handle() and writes the HttpResponse back.
//
// Thread safety: handle(), load() and unload() may be called from any number of threads; a
// request in flight keeps the model it started with even if that model is unloaded meanwhile.

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "server/infer_protocol.h"
#include "server/metrics.h"

namespace pt2run::server {

struct HttpRequest {
  std::string method;                          // "GET", "POST"
  std::string path;                            // "/v2/models/resnet/infer", no query string
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct ModelConfig {
  std::string name;
  std::string package;         // the .pt2
  std::size_t instances = 1;   // model instances (num_models): requests run concurrently up to this
};

class InferenceService {
 public:
  // `repository`: a folder holding NAME/model.pt2 or NAME.pt2 packages that the repository
  // extension can load by name ("" for none).
  explicit InferenceService(std::string repository = "", RequestLimits limits = {});
  ~InferenceService();
  InferenceService(const InferenceService&) = delete;
  InferenceService& operator=(const InferenceService&) = delete;

  // Loads (or reloads, replacing the served one once loaded) a model. Throws pt2run::Error
  // naming the package and the problem; the models already served are untouched.
  void load(const ModelConfig& config);
  // Throws Error(NotFound) if no model of that name is served.
  void unload(const std::string& name);
  std::vector<std::string> model_names() const;

  // Answers one request; never throws (errors are {"error": ...} bodies with their status).
  // GET /metrics answers with the Prometheus text format.
  HttpResponse handle(const HttpRequest& request) noexcept;

  // Receives one JSON line per request answered (time, request id, method, path, model,
  // status, milliseconds, and the error message if any). Set before serving; none by default.
  void set_request_log(std::function<void(const std::string&)> log) { log_ = std::move(log); }

 private:
  struct Model;
  std::shared_ptr<const Model> find(const std::string& name) const;
  // `parts`: the path's segments ("/v2/models/m" -> v2, models, m).
  HttpResponse route(const HttpRequest& request, const std::vector<std::string>& parts);
  HttpResponse infer(const Model& model, const HttpRequest& request);
  HttpResponse repository_index() const;
  std::string repository_package(const std::string& name) const;

  std::string repository_;
  RequestLimits limits_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, std::shared_ptr<const Model>> models_;
  Metrics metrics_;
  std::function<void(const std::string&)> log_;
};

}  // namespace pt2run::server
