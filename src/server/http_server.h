#pragma once

// The HTTP transport of pt2run serve: cpp-httplib (Debian's libcpp-httplib) accepting
// connections and handing each request to an InferenceService. It adds only what belongs to
// HTTP: a worker pool, a bound on body size (413), read and write timeouts (a slow client
// times out instead of holding a worker), and a stop that lets requests in flight finish.

#include <cstddef>
#include <memory>
#include <string>

#include "server/inference_service.h"

namespace pt2run::server {

struct HttpOptions {
  std::string host = "0.0.0.0";
  int port = 8000;                                 // 0: any free port (see HttpServer::port)
  int threads = 8;                                 // requests handled at once
  std::size_t max_body_bytes = std::size_t{64} << 20;
  int read_timeout_s = 30;
  int write_timeout_s = 30;
};

class HttpServer {
 public:
  // Binds the listening socket. Throws Error(Io) naming the address if it cannot.
  HttpServer(InferenceService& service, const HttpOptions& options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }
  // Serves until stop(); returns once the requests in flight have been answered.
  void serve();
  // Stops accepting; safe from any thread (not from a signal handler).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace pt2run::server
