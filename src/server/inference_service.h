#pragma once

// What pt2run serve answers, without sockets: the KServe v2 endpoints (health, server and model
// metadata, readiness, infer) and the model repository extension (index, load, unload) over
// the models it serves. The HTTP transport turns each request into an HttpRequest, calls
// handle() and writes the HttpResponse back.
//
// Thread safety: handle(), load(), unload() and swap_weights() may be called from any number of
// threads; a request in flight keeps the model it started with even if that model is unloaded
// meanwhile. Destroying the service (or unloading a model) lets the requests queued for it finish.

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
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
  // Dynamic batching (ModelScheduler): rows per run, 1 for none; how long the first request of
  // a batch waits for more. Needs a model whose inputs and outputs share a dynamic first dim.
  std::size_t max_batch_size = 1;
  std::chrono::microseconds max_queue_delay{0};
  // A request not started within this time is answered 504; 0 for no limit.
  std::chrono::milliseconds request_timeout{0};
  std::string expect_sha256;  // if set, the package file must have this SHA-256
};

class InferenceService {
 public:
  // `repository`: a folder holding NAME/model.pt2 or NAME.pt2 packages that the repository
  // extension can load by name ("" for none).
  explicit InferenceService(std::string repository = "", RequestLimits limits = {});
  ~InferenceService();
  InferenceService(const InferenceService&) = delete;
  InferenceService& operator=(const InferenceService&) = delete;

  // Loads (or reloads, replacing the served one once loaded) a model. Returns the settings in
  // effect: max_batch_size is 1 for a model without a shared dynamic first dimension (it runs
  // requests one by one) and at most the package's bound on that dimension. Throws
  // pt2run::Error naming the package and the problem; the models already served are untouched.
  ModelConfig load(const ModelConfig& config);
  // Throws Error(NotFound) if no model of that name is served.
  void unload(const std::string& name);
  // Replaces a served model's weights while it serves: `weights` (a safetensors file's bytes,
  // keyed by the constants' FQNs, every constant) go into the inactive buffer, which is folded
  // and swapped in; a run uses one buffer from start to end, so every answer is computed with
  // the old weights or the new. One swap at a time per model. Throws Error naming the problem
  // (unknown or missing FQN, wrong shape or dtype, malformed file); the old weights stay.
  void swap_weights(const std::string& name, std::string_view weights);
  // Settings for models loaded through the repository extension (name, package and pin ignored).
  void set_model_defaults(const ModelConfig& defaults) { defaults_ = defaults; }
  // Package digests by model name: a repository load of a pinned name refuses any other file.
  void set_pins(std::map<std::string, std::string> pins) { pins_ = std::move(pins); }
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
  ModelConfig defaults_;
  std::map<std::string, std::string> pins_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, std::shared_ptr<const Model>> models_;
  Metrics metrics_;
  std::function<void(const std::string&)> log_;
};

}  // namespace pt2run::server
