// The v2 infer request decoder on arbitrary bodies: the first byte picks whether the body
// carries binary data after a JSON header of the length the next two bytes give.

#include <optional>
#include <string>
#include <string_view>

#include "fuzz/fuzz_target.h"
#include "pt2run/error.h"
#include "server/infer_protocol.h"

std::vector<std::string> pt2run_fuzz_seeds() {
  const std::string json =
      R"({"id":"1","inputs":[{"name":"x","shape":[2,2],"datatype":"FP32","data":[[1,2],[3,4]]},)"
      R"({"name":"m","shape":[2],"datatype":"BOOL","data":[true,false]}],)"
      R"("outputs":[{"name":"y","parameters":{"binary_data":true}}]})";
  const std::string header =
      R"({"inputs":[{"name":"x","shape":[3],"datatype":"INT64","parameters":{"binary_data_size":24}}]})";
  std::string binary(24, '\0');
  binary[0] = 7;
  auto with_length = [](std::size_t n) {
    return std::string{static_cast<char>(1), static_cast<char>(n & 0xff), static_cast<char>(n >> 8)};
  };
  return {std::string(3, '\0') + json, with_length(header.size()) + header + binary};
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  std::optional<std::size_t> header_length;
  if (data[0] & 1) header_length = static_cast<std::size_t>(data[1]) | static_cast<std::size_t>(data[2]) << 8;
  const std::string_view body(reinterpret_cast<const char*>(data) + 3, size - 3);
  pt2run::server::RequestLimits limits;
  limits.max_elements = 1 << 16;  // a short shape may claim a huge tensor; keep runs fast
  try {
    auto request = pt2run::server::parse_infer_request(body, header_length, limits);
    std::vector<pt2run::server::InferOutput> outputs;
    for (auto& input : request.inputs) outputs.push_back({input.name, input.tensor});
    request.outputs.clear();  // echo every input back, JSON and binary
    pt2run::server::encode_infer_response("m", "1", request, outputs);
    request.binary_outputs = true;
    pt2run::server::encode_infer_response("m", "1", request, outputs);
  } catch (const pt2run::Error&) {
  }
  return 0;
}
