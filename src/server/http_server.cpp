#include "server/http_server.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>

namespace pt2run::server {

struct HttpServer::Impl {
  httplib::Server http;
};

HttpServer::HttpServer(InferenceService& service, const HttpOptions& options) : impl_(std::make_unique<Impl>()) {
  auto& http = impl_->http;
  const int threads = std::max(1, options.threads);
  http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
  http.set_payload_max_length(options.max_body_bytes);
  http.set_read_timeout(options.read_timeout_s, 0);
  http.set_write_timeout(options.write_timeout_s, 0);
  // A response goes out as headers, then body: with Nagle's algorithm on, the body waits for
  // the client's delayed ACK of the headers (~40 ms on Linux) on every keep-alive request.
  http.set_tcp_nodelay(true);
  auto handler = [&service](const httplib::Request& req, httplib::Response& res) {
    HttpRequest request{req.method, req.path, {}, req.body};
    for (const auto& [name, value] : req.headers) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      request.headers.emplace(std::move(lower), value);
    }
    HttpResponse response = service.handle(request);
    res.status = response.status;
    for (const auto& [name, value] : response.headers) res.set_header(name, value);
    res.set_content(std::move(response.body), response.content_type);
  };
  http.Get(".*", handler);
  http.Post(".*", handler);
  http.Put(".*", handler);
  http.Delete(".*", handler);
  // Errors httplib answers itself (413 for a body over the limit, 400 for a malformed request)
  // get the protocol's error body too.
  http.set_error_handler([&options](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    const std::string message = res.status == 413 ? "the request body is over the server's limit of " +
                                                        std::to_string(options.max_body_bytes) + " bytes"
                                                  : "HTTP error " + std::to_string(res.status);
    res.set_content(error_body(message), "application/json");
  });
  if (options.port == 0) {
    port_ = http.bind_to_any_port(options.host.c_str());
  } else {
    port_ = http.bind_to_port(options.host.c_str(), options.port) ? options.port : -1;
  }
  if (port_ <= 0)
    throw Error(ErrorCode::Io, "cannot listen on " + options.host + ":" + std::to_string(options.port) +
                                   " (in use, or not an address of this host)");
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::serve() { impl_->http.listen_after_bind(); }

void HttpServer::stop() { impl_->http.stop(); }

}  // namespace pt2run::server
