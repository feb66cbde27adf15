// pt2run serve's HTTP framing: heads parsed from partial and pipelined bytes, and every
// malformed or over-limit head answered with its status.

#include "server/http_parser.h"

#include <gtest/gtest.h>

namespace pt2run::server {
namespace {

using State = ParsedHead::State;

TEST(HttpParser, ParsesAHeadAndSaysWhereTheBodyIs) {
  const std::string bytes =
      "POST /v2/models/m%2Fx/infer?debug=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
      "Inference-Header-Content-Length:  3 \r\nX-Twice: 1\r\nX-Twice: 2\r\n\r\nhelloGET";
  ParsedHead head = parse_request_head(bytes, {});
  ASSERT_EQ(head.state, State::Complete) << head.error;
  EXPECT_EQ(head.request.method, "POST");
  EXPECT_EQ(head.request.path, "/v2/models/m/x/infer");  // decoded, query dropped
  EXPECT_EQ(head.request.headers.at("inference-header-content-length"), "3");
  EXPECT_EQ(head.request.headers.at("x-twice"), "1, 2");
  EXPECT_EQ(bytes.substr(head.head_bytes, head.body_bytes), "hello");
  EXPECT_TRUE(head.keep_alive);
  EXPECT_FALSE(head.expect_continue);
}

TEST(HttpParser, IncompleteUntilTheBlankLine) {
  const std::string full = "GET /v2/health/live HTTP/1.1\r\nHost: a\r\n\r\n";
  for (std::size_t n = 0; n < full.size(); ++n)
    EXPECT_EQ(parse_request_head(full.substr(0, n), {}).state, State::Incomplete) << n;
  EXPECT_EQ(parse_request_head(full, {}).state, State::Complete);
  EXPECT_EQ(parse_request_head("\r\n\r\n" + full, {}).state, State::Complete);  // leading empty lines
}

TEST(HttpParser, ConnectionAndExpect) {
  EXPECT_FALSE(parse_request_head("GET / HTTP/1.0\r\n\r\n", {}).keep_alive);
  EXPECT_TRUE(parse_request_head("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", {}).keep_alive);
  EXPECT_FALSE(parse_request_head("GET / HTTP/1.1\r\nConnection: foo, close\r\n\r\n", {}).keep_alive);
  EXPECT_TRUE(parse_request_head("POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 9\r\n\r\n", {})
                  .expect_continue);
}

TEST(HttpParser, MalformedAndOverLimitHeadsGetTheirStatus) {
  HttpLimits limits;
  limits.max_head_bytes = 1024;
  limits.max_body_bytes = 1000;
  const std::pair<std::string, int> cases[] = {
      {"GET /v2 HTTP/1.1\r\nContent-Length: 1001\r\n\r\n", 413},
      {"GET /v2 HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413},
      {"GET /v2 HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n", 400},
      {"GET /v2 HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
      {"GET /v2 HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
      {"POST /v2 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 411},
      {"GET /v2 HTTP/2.0\r\n\r\n", 505},
      {"GET /v2 HTTX/1.1\r\n\r\n", 400},
      {"GET  /v2 HTTP/1.1\r\n\r\n", 400},
      {"GET v2 HTTP/1.1\r\n\r\n", 400},
      {"G(T /v2 HTTP/1.1\r\n\r\n", 400},
      {"GET /v2%G1 HTTP/1.1\r\n\r\n", 400},
      {"GET /v2% HTTP/1.1\r\n\r\n", 400},
      {"GET /v2 HTTP/1.1\r\n folded: x\r\n\r\n", 400},
      {"GET /v2 HTTP/1.1\r\nno colon\r\n\r\n", 400},
      {"GET /v2 HTTP/1.1\r\nbad name: x\r\n\r\n", 400},
      {"GET /v2 HTTP/1.1\r\nExpect: magic\r\n\r\n", 417},
      {"GET /v2 HTTP/1.1\r\nX: " + std::string(2000, 'a') + "\r\n\r\n", 431},
      {"GET /v2 HTTP/1.1\r\nX: " + std::string(2000, 'a'), 431},  // over the limit before its end
  };
  for (const auto& [bytes, status] : cases) {
    ParsedHead head = parse_request_head(bytes, limits);
    EXPECT_EQ(head.state, State::Error) << bytes.substr(0, 60);
    EXPECT_EQ(head.error_status, status) << bytes.substr(0, 60) << ": " << head.error;
    EXPECT_FALSE(head.error.empty());
    EXPECT_FALSE(head.keep_alive);
  }
}

TEST(HttpParser, PathBytesDecodeAsTheyAre) {
  // %FF is a byte, not text: the service refuses it with a 400 naming it.
  ParsedHead head = parse_request_head("GET /v2/models/%FF%00 HTTP/1.1\r\n\r\n", {});
  ASSERT_EQ(head.state, State::Complete);
  EXPECT_EQ(head.request.path, std::string("/v2/models/\xff\0", 13));
  EXPECT_EQ(percent_decode("%e2%82%AC"), "\xe2\x82\xac");
  EXPECT_FALSE(percent_decode("%2"));
}

TEST(HttpParser, ResponsesCarryTheirLengthAndConnection) {
  HttpResponse r{404, "application/json", {{"Inference-Header-Content-Length", "3"}}, "{}x"};
  EXPECT_EQ(serialize_response(r, true),
            "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 3\r\n"
            "Inference-Header-Content-Length: 3\r\nConnection: keep-alive\r\n\r\n{}x");
  EXPECT_NE(serialize_response(r, false).find("Connection: close\r\n"), std::string::npos);
}

}  // namespace
}  // namespace pt2run::server
