#pragma once

// HTTP/1.1 framing for pt2run serve, as data: a request's head (request line and headers)
// parsed from the bytes received so far, and a response written out. No sockets here, so the
// whole of it is fuzzed with the service behind it (tests/fuzz/http_service_fuzz.cpp).
//
// What is accepted: HTTP/1.0 and 1.1 requests with a Content-Length body (or none). Chunked
// request bodies are refused (411: every v2 client sends Content-Length). Errors name what is
// wrong; none throws.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "server/inference_service.h"

namespace pt2run::server {

struct HttpLimits {
  std::size_t max_head_bytes = 64 << 10;      // request line and headers (431 above)
  std::size_t max_body_bytes = std::size_t{64} << 20;  // Content-Length (413 above)
};

struct ParsedHead {
  enum class State { Incomplete, Complete, Error } state = State::Incomplete;
  // Complete: the request without its body, the head's length in bytes, the body's length.
  HttpRequest request;
  std::size_t head_bytes = 0;
  std::size_t body_bytes = 0;
  bool keep_alive = true;       // HTTP/1.1 unless "Connection: close"; 1.0 only with keep-alive
  bool expect_continue = false;  // "Expect: 100-continue": the client waits for a 100 first
  // Error: the status to answer (400, 411, 413, 431, 505) and why. The connection is closed
  // after the answer: where the next request would start is unknown.
  int error_status = 0;
  std::string error;
};

// Parses the head at the start of `received`. Incomplete while no blank line has arrived and
// the head is within its limit.
ParsedHead parse_request_head(std::string_view received, const HttpLimits& limits);

// Decodes %XX escapes in a path; nullopt for a malformed escape. Bytes decode as they are
// (not necessarily UTF-8: the service checks).
std::optional<std::string> percent_decode(std::string_view path);

// The status line, headers (Content-Type, Content-Length, Connection, the response's own) and
// body of a response.
std::string serialize_response(const HttpResponse& response, bool keep_alive);

// The standard reason phrase for a status ("Not Found"); "Unknown" for others.
const char* reason_phrase(int status) noexcept;

}  // namespace pt2run::server
