#pragma once

// The HTTP transport of pt2run serve: one event loop (epoll) owns every connection and a pool
// of workers runs the requests that reach a model. It adds only what belongs to HTTP, and is
// built so that no client can take the server from others:
// - a request's head and body must arrive within request_timeout_s of its first byte; a client
//   trickling a byte at a time cannot extend that (408, then closed);
// - a body over the limit is answered 413 as soon as its Content-Length is read, and request
//   bytes held over all connections are bounded (503 beyond);
// - at most max_connections are open; a new one first displaces the longest-idle keep-alive
//   connection, then the longest-reading one, never one whose request is running;
// - probes (health, readiness, metadata, /metrics) are answered on the event loop itself, so
//   they stay answerable while every worker is busy;
// - responses that are not taken within write_timeout_s close the connection;
// - stop() stops accepting and lets the requests already running finish and be answered.
// (cpp-httplib, used before, gives each connection a worker thread with a per-read timeout:
// 16 trickling connections held 8 workers and starved every probe. libmicrohttpd's timeout
// is per read too, and it refuses connections at its limit rather than dropping idle ones.)

#include <cstddef>
#include <memory>
#include <string>

#include "server/inference_service.h"

namespace pt2run::server {

struct HttpOptions {
  std::string host = "0.0.0.0";
  int port = 8000;     // 0: any free port (see HttpServer::port)
  int threads = 8;     // requests handled at once (workers)
  std::size_t max_body_bytes = std::size_t{64} << 20;
  std::size_t max_head_bytes = std::size_t{64} << 10;
  std::size_t max_connections = 256;
  // Request bytes held at once over all connections; a read that would pass it is answered 503
  // (without it, every connection could hold a whole body: max_connections x max_body_bytes).
  std::size_t max_buffered_bytes = std::size_t{512} << 20;
  int request_timeout_s = 30;  // from a request's first byte to its last
  int write_timeout_s = 30;    // to hand a response to the client
  int idle_timeout_s = 60;     // a keep-alive connection waiting for its next request
};

class HttpServer {
 public:
  // Binds and listens. Throws Error(Io) naming the address if it cannot.
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
