// The whole HTTP service on arbitrary request bytes: pt2run serve's framing (server/http_parser)
// takes requests off the front of the bytes as a connection would, pipelined, and the real
// handler answers each (with the corpus mlp loaded when PT2RUN_CORPUS_DIR names a corpus, so
// infer and weight swaps run a model). Every answer must be a well-formed response whose error
// body is JSON; nothing may crash, hang or leak.

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <nlohmann/json.hpp>

#include "fuzz/fuzz_target.h"
#include "server/http_parser.h"
#include "server/inference_service.h"

namespace {

using pt2run::server::HttpLimits;
using pt2run::server::InferenceService;
using pt2run::server::ParsedHead;

InferenceService& service() {
  static InferenceService* s = [] {
    auto* svc = new InferenceService();
    const char* corpus = std::getenv("PT2RUN_CORPUS_DIR");
    if (corpus && std::filesystem::exists(std::filesystem::path(corpus) / "mlp" / "model.pt2"))
      svc->load({"mlp", (std::filesystem::path(corpus) / "mlp" / "model.pt2").string(), 1});
    return svc;
  }();
  return *s;
}

void check_response(const std::string& bytes) {
  if (!bytes.starts_with("HTTP/1.1 ") || bytes.find("\r\n\r\n") == std::string::npos) std::abort();
}

}  // namespace

std::vector<std::string> pt2run_fuzz_seeds() {
  const std::string infer =
      R"({"id":"a","inputs":[{"name":"args[0]","shape":[2,16],"datatype":"FP32","data":[)"
      "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}]}";
  auto post = [](const std::string& path, const std::string& body, const std::string& extra = "") {
    return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra +
           "\r\n" + body;
  };
  return {
      "GET /v2/health/ready HTTP/1.1\r\nHost: x\r\n\r\nGET /v2/models/mlp HTTP/1.1\r\n\r\nGET /metrics HTTP/1.0\r\n\r\n",
      post("/v2/models/mlp/infer", infer),
      post("/v2/models/mlp/infer", infer, "Expect: 100-continue\r\nConnection: close\r\n"),
      post("/v2/models/%FF/infer", infer) + "GET /v2/models/\xff\xfe HTTP/1.1\r\n\r\n",
      post("/v2/models/mlp/infer", infer, "Inference-Header-Content-Length: \xff\r\n"),
      post("/v2/models/mlp/infer", R"({"inputs":[{"name":"args[0]","shape":[2,16],"datatype":")" +
                                       std::string(39, 'A') + "\xe2\x82\xac" + R"(","data":[]}]})"),
      post("/v2/models/mlp/weights", std::string("\x08\0\0\0\0\0\0\0{}      ", 16)),
      post("/v2/repository/models/%ff/load", "") + post("/v2/repository/index", ""),
      "POST /v2/models/mlp/infer HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
      "GET /v2 HTTP/2.0\r\n\r\nGET  /v2 HTTP/1.1\r\n\r\n",
  };
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  HttpLimits limits;
  limits.max_body_bytes = 1 << 20;
  limits.max_head_bytes = 16 << 10;
  for (int requests = 0; requests < 16 && !bytes.empty(); ++requests) {
    ParsedHead head = pt2run::server::parse_request_head(bytes, limits);
    if (head.state == ParsedHead::State::Incomplete) break;
    if (head.state == ParsedHead::State::Error) {
      check_response(pt2run::server::serialize_response(
          {head.error_status, "application/json", {}, pt2run::server::error_body(head.error)}, false));
      break;
    }
    if (bytes.size() < head.head_bytes + head.body_bytes) break;
    head.request.body = std::string(bytes.substr(head.head_bytes, head.body_bytes));
    bytes.remove_prefix(head.head_bytes + head.body_bytes);
    const auto response = service().handle(head.request);
    check_response(pt2run::server::serialize_response(response, head.keep_alive));
    // Every body the service makes for JSON is valid JSON, whatever bytes it quoted.
    if (response.content_type == "application/json" && !response.body.empty() && response.status != 200 &&
        !nlohmann::json::accept(response.body))
      std::abort();
  }
  return 0;
}
