#include "server/http_parser.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace pt2run::server {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
  });
}

ParsedHead error(int status, std::string message) {
  ParsedHead head;
  head.state = ParsedHead::State::Error;
  head.error_status = status;
  head.error = std::move(message);
  head.keep_alive = false;
  return head;
}

bool has_token(std::string_view list, std::string_view token) {
  const std::string l = lower(list);
  std::size_t start = 0;
  while (start <= l.size()) {
    std::size_t end = l.find(',', start);
    if (end == std::string::npos) end = l.size();
    if (trim(std::string_view(l).substr(start, end - start)) == token) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '%') {
      out += path[i];
      continue;
    }
    if (i + 2 >= path.size() || !std::isxdigit(static_cast<unsigned char>(path[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(path[i + 2])))
      return std::nullopt;
    unsigned value = 0;
    std::from_chars(path.data() + i + 1, path.data() + i + 3, value, 16);
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

ParsedHead parse_request_head(std::string_view received, const HttpLimits& limits) {
  // Clients may precede a request with empty lines (RFC 9112 section 2.2).
  std::size_t skipped = 0;
  while (skipped + 1 < received.size() && received[skipped] == '\r' && received[skipped + 1] == '\n') skipped += 2;
  const std::size_t end = received.find("\r\n\r\n", skipped);
  if (end == std::string_view::npos) {
    if (received.size() - skipped > limits.max_head_bytes)
      return error(431, "the request head is over the server's limit of " + std::to_string(limits.max_head_bytes) +
                            " bytes");
    return {};
  }
  if (end - skipped > limits.max_head_bytes)
    return error(431, "the request head is over the server's limit of " + std::to_string(limits.max_head_bytes) +
                          " bytes");
  const std::string_view head_text = received.substr(skipped, end - skipped);
  ParsedHead head;
  head.head_bytes = end + 4;

  // The request line: METHOD SP target SP HTTP/1.x
  const std::size_t line_end = std::min(head_text.find("\r\n"), head_text.size());
  const std::string_view line = head_text.substr(0, line_end);
  const std::size_t sp1 = line.find(' ');
  const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
    return error(400, "malformed request line");
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!is_token(method)) return error(400, "malformed request method");
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    if (version.starts_with("HTTP/")) return error(505, "only HTTP/1.0 and HTTP/1.1 are served");
    return error(400, "malformed request line");
  }
  if (target.empty() || target.front() != '/') return error(400, "the request target must be a path");
  const std::string_view raw_path = target.substr(0, std::min(target.find('?'), target.size()));
  auto path = percent_decode(raw_path);
  if (!path) return error(400, "the request path has a malformed %-escape");
  head.request.method = std::string(method);
  head.request.path = std::move(*path);
  head.keep_alive = version == "HTTP/1.1";

  // Headers: name ":" value, one per line; no folding.
  std::optional<std::size_t> content_length;
  std::size_t pos = line_end + 2;
  while (line_end < head_text.size() && pos <= head_text.size()) {
    std::size_t next = head_text.find("\r\n", pos);
    if (next == std::string_view::npos) next = head_text.size();
    const std::string_view field = head_text.substr(pos, next - pos);
    pos = next + 2;
    if (field.empty()) continue;
    if (field.front() == ' ' || field.front() == '\t') return error(400, "folded header lines are not accepted");
    const std::size_t colon = field.find(':');
    if (colon == std::string_view::npos || !is_token(field.substr(0, colon)))
      return error(400, "malformed header line");
    const std::string name = lower(field.substr(0, colon));
    const std::string_view value = trim(field.substr(colon + 1));
    if (value.find('\0') != std::string_view::npos || value.find('\r') != std::string_view::npos ||
        value.find('\n') != std::string_view::npos)
      return error(400, "a header value holds a control character");
    if (name == "content-length") {
      std::size_t length = 0;
      const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
      if (value.empty() || ec != std::errc() || p != value.data() + value.size())
        return error(ec == std::errc::result_out_of_range ? 413 : 400,
                     ec == std::errc::result_out_of_range ? "the request body is over the server's limit of " +
                                                                std::to_string(limits.max_body_bytes) + " bytes"
                                                          : "Content-Length is not a size");
      if (content_length && *content_length != length) return error(400, "two different Content-Length headers");
      content_length = length;
    } else if (name == "transfer-encoding") {
      return error(411, "chunked (Transfer-Encoding) request bodies are not accepted: send Content-Length");
    } else if (name == "connection") {
      if (has_token(value, "close")) head.keep_alive = false;
      else if (has_token(value, "keep-alive")) head.keep_alive = true;
    } else if (name == "expect") {
      if (lower(value) != "100-continue") return error(417, "the only expectation served is 100-continue");
      head.expect_continue = true;
    }
    auto [it, inserted] = head.request.headers.emplace(name, std::string(value));
    if (!inserted) it->second += ", " + std::string(value);
  }
  head.body_bytes = content_length.value_or(0);
  if (head.body_bytes > limits.max_body_bytes)
    return error(413, "the request body is over the server's limit of " + std::to_string(limits.max_body_bytes) +
                          " bytes");
  head.state = ParsedHead::State::Complete;
  return head;
}

const char* reason_phrase(int status) noexcept {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    case 507: return "Insufficient Storage";
    default: return "Unknown";
  }
}

std::string serialize_response(const HttpResponse& response, bool keep_alive) {
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " + reason_phrase(response.status) + "\r\n";
  out += "Content-Type: " + response.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  for (const auto& [name, value] : response.headers) out += name + ": " + value + "\r\n";
  out += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  out += response.body;
  return out;
}

}  // namespace pt2run::server
