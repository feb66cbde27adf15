// The KServe v2 protocol's decoding and encoding, without a server: what tritonclient and curl
// send, and every way a request can be wrong.

#include "server/infer_protocol.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>

namespace pt2run::server {
namespace {

using json = nlohmann::json;

Error error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return Error(ErrorCode::Internal, "none");
}

// The message of the InvalidArgument error parsing `body` raises.
std::string bad_request(const std::string& body, std::optional<std::size_t> header_length = std::nullopt,
                        RequestLimits limits = {}) {
  Error e = error_of([&] { parse_infer_request(body, header_length, limits); });
  EXPECT_EQ(e.code(), ErrorCode::InvalidArgument) << e.message();
  return e.message();
}

std::string one_input(const std::string& fields) { return R"({"inputs":[{"name":"x",)" + fields + "}]}"; }

TEST(InferProtocol, DatatypesMatchTheSpec) {
  for (const char* name : {"BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16",
                           "FP32", "FP64", "BF16"}) {
    auto dtype = dtype_of(name);
    ASSERT_TRUE(dtype.has_value()) << name;
    EXPECT_EQ(datatype_of(*dtype), name);
  }
  EXPECT_FALSE(dtype_of("BYTES").has_value());
  EXPECT_FALSE(dtype_of("fp32").has_value());
  EXPECT_EQ(datatype_of(DType::Complex64), "");
}

TEST(InferProtocol, JsonDataFlatOrNestedInEveryDatatype) {
  auto nested = parse_infer_request(
      R"({"id":"r1","inputs":[{"name":"x","shape":[2,3],"datatype":"FP32","data":[[1,2,3],[4,5,6.5]]}]})", std::nullopt);
  auto flat = parse_infer_request(one_input(R"("shape":[2,3],"datatype":"FP32","data":[1,2,3,4,5,6.5])"), std::nullopt);
  EXPECT_EQ(nested.id, "r1");
  ASSERT_EQ(nested.inputs.size(), 1u);
  const Tensor& t = nested.inputs[0].tensor;
  EXPECT_EQ(t.dtype(), DType::Float32);
  EXPECT_EQ(std::vector<int64_t>(t.sizes().begin(), t.sizes().end()), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(0, std::memcmp(t.data_ptr(), flat.inputs[0].tensor.data_ptr(), 6 * sizeof(float)));
  EXPECT_EQ(t.data<float>()[5], 6.5f);

  auto ints = parse_infer_request(one_input(R"("shape":[3],"datatype":"INT64","data":[-9007199254740993,0,42])"), {});
  EXPECT_EQ(ints.inputs[0].tensor.data<int64_t>()[0], -9007199254740993);  // exact, not through double
  auto u64 = parse_infer_request(one_input(R"("shape":[1],"datatype":"UINT64","data":[18446744073709551615])"), {});
  EXPECT_EQ(u64.inputs[0].tensor.data<uint64_t>()[0], UINT64_MAX);
  auto bools = parse_infer_request(one_input(R"("shape":[2],"datatype":"BOOL","data":[true,false])"), {});
  EXPECT_EQ(bools.inputs[0].tensor.data<uint8_t>()[0], 1);
  EXPECT_EQ(bools.inputs[0].tensor.data<uint8_t>()[1], 0);
  // Half precision rounds as a float32 -> float16 conversion does.
  auto half = parse_infer_request(one_input(R"("shape":[1],"datatype":"FP16","data":[0.1])"), {});
  Tensor expected = Tensor::empty({1}, DType::Float32);
  expected.data<float>()[0] = 0.1f;
  EXPECT_EQ(std::memcmp(half.inputs[0].tensor.data_ptr(), expected.to(DType::Float16).data_ptr(), 2), 0);
  // A scalar: empty shape, one element.
  auto scalar = parse_infer_request(one_input(R"("shape":[],"datatype":"INT32","data":[7])"), {});
  EXPECT_EQ(scalar.inputs[0].tensor.dim(), 0);
  EXPECT_EQ(scalar.inputs[0].tensor.data<int32_t>()[0], 7);
}

TEST(InferProtocol, BinaryDataAfterTheJsonHeader) {
  const std::string header =
      R"({"inputs":[{"name":"ids","shape":[3],"datatype":"INT64","parameters":{"binary_data_size":24}},)"
      R"({"name":"scale","shape":[1],"datatype":"FP32","data":[0.5]},)"
      R"({"name":"x","shape":[2],"datatype":"FP32","parameters":{"binary_data_size":8}}],)"
      R"("outputs":[{"name":"a"},{"name":"b","parameters":{"binary_data":true}}],)"
      R"("parameters":{"binary_data_output":false}})";
  const int64_t ids[3] = {5, -1, 1LL << 40};
  const float x[2] = {1.5f, NAN};
  std::string body = header;
  body.append(reinterpret_cast<const char*>(ids), sizeof(ids));
  body.append(reinterpret_cast<const char*>(x), sizeof(x));
  auto request = parse_infer_request(body, header.size());
  ASSERT_EQ(request.inputs.size(), 3u);
  EXPECT_EQ(request.inputs[0].tensor.data<int64_t>()[2], 1LL << 40);
  EXPECT_EQ(request.inputs[1].tensor.data<float>()[0], 0.5f);
  EXPECT_TRUE(std::isnan(request.inputs[2].tensor.data<float>()[1]));
  ASSERT_EQ(request.outputs.size(), 2u);
  EXPECT_FALSE(request.outputs[0].binary);
  EXPECT_TRUE(request.outputs[1].binary);
}

TEST(InferProtocol, MalformedRequestsAreClearErrors) {
  EXPECT_NE(bad_request("{not json").find("not a JSON object"), std::string::npos);
  EXPECT_NE(bad_request("[]").find("not a JSON object"), std::string::npos);
  EXPECT_NE(bad_request(R"({"inputs":[]})").find("no inputs"), std::string::npos);
  EXPECT_NE(bad_request(R"({"inputs":[{"shape":[1],"datatype":"FP32","data":[1]}]})").find("no name"), std::string::npos);
  EXPECT_NE(bad_request(one_input(R"("shape":[1],"data":[1])")).find("no datatype"), std::string::npos);
  EXPECT_NE(bad_request(one_input(R"("shape":[1],"datatype":"FLOAT","data":[1])")).find("not a v2 datatype"),
            std::string::npos);
  EXPECT_NE(bad_request(one_input(R"("datatype":"FP32","data":[1])")).find("no shape"), std::string::npos);
  EXPECT_NE(bad_request(one_input(R"("shape":[-1],"datatype":"FP32","data":[1])")).find("not a size"), std::string::npos);
  EXPECT_NE(bad_request(one_input(R"("shape":[3],"datatype":"FP32","data":[1,2])")).find("2 data elements but its shape holds 3"),
            std::string::npos);
  EXPECT_NE(bad_request(one_input(R"("shape":[1],"datatype":"FP32","data":[1,2])")).find("more data elements"),
            std::string::npos);
  EXPECT_NE(bad_request(one_input(R"("shape":[2],"datatype":"FP32","data":[[[1]],[[2]]])")).find("nested deeper"),
            std::string::npos);
  EXPECT_NE(bad_request(one_input(R"("shape":[1],"datatype":"FP32","data":["1"])")).find("not a number"), std::string::npos);
  EXPECT_NE(bad_request(one_input(R"("shape":[1],"datatype":"INT8","data":[300])")).find("out of range"), std::string::npos);
  EXPECT_NE(bad_request(one_input(R"("shape":[1],"datatype":"UINT8","data":[-1])")).find("out of range"), std::string::npos);
  EXPECT_NE(bad_request(one_input(R"("shape":[1],"datatype":"INT32","data":[1.5])")).find("not an integer"),
            std::string::npos);
  EXPECT_NE(bad_request(one_input(R"("shape":[1],"datatype":"BOOL","data":[1])")).find("true or false"), std::string::npos);
  EXPECT_NE(bad_request(one_input(R"("shape":[1],"datatype":"FP32")")).find("neither data"), std::string::npos);
  EXPECT_NE(bad_request(R"({"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]},)"
                        R"({"name":"x","shape":[1],"datatype":"FP32","data":[1]}]})")
                .find("given twice"),
            std::string::npos);
  Error bytes = error_of([] { parse_infer_request(one_input(R"("shape":[1],"datatype":"BYTES","data":["a"])"), {}); });
  EXPECT_EQ(bytes.code(), ErrorCode::NotImplemented);
}

TEST(InferProtocol, LimitsHoldWhateverTheBodySize) {
  RequestLimits limits;
  limits.max_elements = 1000;
  limits.max_rank = 3;
  limits.max_inputs = 1;
  // A few bytes that claim 10^18 elements are refused before anything is allocated.
  EXPECT_NE(bad_request(one_input(R"("shape":[1000000000,1000000000],"datatype":"FP32","data":[])"), {}, limits)
                .find("more than 1000 elements"),
            std::string::npos);
  EXPECT_NE(bad_request(one_input(R"("shape":[1,1,1,1],"datatype":"FP32","data":[1])"), {}, limits).find("4 dimensions"),
            std::string::npos);
  EXPECT_NE(bad_request(R"({"inputs":[{"name":"a","shape":[1],"datatype":"FP32","data":[1]},)"
                        R"({"name":"b","shape":[1],"datatype":"FP32","data":[1]}]})",
                        {}, limits)
                .find("2 inputs"),
            std::string::npos);
}

TEST(InferProtocol, BinaryDataThatDoesNotAddUpIsAnError) {
  const std::string header = one_input(R"("shape":[2],"datatype":"FP32","parameters":{"binary_data_size":8})");
  const std::string eight(8, '\0');
  EXPECT_NE(bad_request(header + eight, header.size() + 9).find("Inference-Header-Content-Length"), std::string::npos);
  EXPECT_NE(bad_request(header + "\x01\x02").find("not a JSON object"), std::string::npos);  // bytes, no header length
  EXPECT_NE(bad_request(header + std::string(4, '\0'), header.size()).find("only 4 are left"), std::string::npos);
  EXPECT_NE(bad_request(header + eight + "x", header.size()).find("1 bytes after"), std::string::npos);
  const std::string wrong = one_input(R"("shape":[2],"datatype":"FP32","parameters":{"binary_data_size":6})");
  EXPECT_NE(bad_request(wrong + std::string(6, '\0'), wrong.size()).find("need 8 bytes"), std::string::npos);
  const std::string no_length = one_input(R"("shape":[2],"datatype":"FP32","parameters":{"binary_data_size":8})");
  EXPECT_NE(bad_request(no_length).find("no Inference-Header-Content-Length"), std::string::npos);
  const std::string flags = one_input(R"("shape":[2],"datatype":"BOOL","parameters":{"binary_data_size":2})");
  EXPECT_NE(bad_request(flags + std::string("\x01\x02", 2), flags.size()).find("neither 0 nor 1"), std::string::npos);
}

TEST(InferProtocol, ResponsesInJsonAndBinary) {
  Tensor y = Tensor::empty({2, 2}, DType::Float32);
  const float values[4] = {1.25f, -2.f, NAN, INFINITY};
  std::memcpy(y.data_ptr(), values, sizeof(values));
  Tensor flags = Tensor::empty({2}, DType::Bool);
  flags.data<uint8_t>()[0] = 1;
  flags.data<uint8_t>()[1] = 0;
  Tensor ids = Tensor::empty({1}, DType::Int64);
  ids.data<int64_t>()[0] = -(1LL << 60);
  const std::vector<InferOutput> outputs = {{"y", y}, {"flags", flags}, {"ids", ids}};

  InferRequest all;
  all.id = "req-7";
  auto json_only = encode_infer_response("model", "1", all, outputs);
  EXPECT_FALSE(json_only.header_length.has_value());
  json doc = json::parse(json_only.body);
  EXPECT_EQ(doc["model_name"], "model");
  EXPECT_EQ(doc["model_version"], "1");
  EXPECT_EQ(doc["id"], "req-7");
  ASSERT_EQ(doc["outputs"].size(), 3u);
  EXPECT_EQ(doc["outputs"][0]["datatype"], "FP32");
  EXPECT_EQ(doc["outputs"][0]["shape"], json::array({2, 2}));
  EXPECT_EQ(doc["outputs"][0]["data"], json::parse("[1.25, -2.0, null, null]"));  // JSON has no NaN/inf
  EXPECT_EQ(doc["outputs"][1]["data"], json::array({true, false}));
  EXPECT_EQ(doc["outputs"][2]["data"][0].get<int64_t>(), -(1LL << 60));

  InferRequest some;
  some.outputs = {{"ids", false}, {"y", true}};
  auto mixed = encode_infer_response("model", "", some, outputs);
  ASSERT_TRUE(mixed.header_length.has_value());
  json head = json::parse(mixed.body.substr(0, *mixed.header_length));
  EXPECT_FALSE(head.contains("model_version"));
  ASSERT_EQ(head["outputs"].size(), 2u);
  EXPECT_EQ(head["outputs"][0]["name"], "ids");
  EXPECT_EQ(head["outputs"][1]["parameters"]["binary_data_size"], 16);
  ASSERT_EQ(mixed.body.size(), *mixed.header_length + 16);
  float back[4];
  std::memcpy(back, mixed.body.data() + *mixed.header_length, sizeof(back));
  EXPECT_EQ(back[0], 1.25f);
  EXPECT_TRUE(std::isnan(back[2]));  // exact in binary

  // Non-contiguous outputs are laid out row-major.
  Tensor transposed = y.as_strided({2, 2}, {1, 2}, 0);
  InferRequest one;
  one.outputs = {{"t", false}};
  json t = json::parse(encode_infer_response("m", "", one, {{"t", transposed}}).body);
  EXPECT_EQ(t["outputs"][0]["data"], json::parse("[1.25, null, -2.0, null]"));

  InferRequest unknown;
  unknown.outputs = {{"nope", false}};
  Error e = error_of([&] { encode_infer_response("m", "", unknown, outputs); });
  EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
  EXPECT_NE(e.message().find("no output 'nope'"), std::string::npos);
}

TEST(InferProtocol, ErrorBodiesAndStatuses) {
  EXPECT_EQ(json::parse(error_body("bad \"shape\""))["error"], "bad \"shape\"");
  EXPECT_EQ(http_status(ErrorCode::InvalidArgument), 400);
  EXPECT_EQ(http_status(ErrorCode::ShapeMismatch), 400);
  EXPECT_EQ(http_status(ErrorCode::DTypeMismatch), 400);
  EXPECT_EQ(http_status(ErrorCode::NotFound), 404);
  EXPECT_EQ(http_status(ErrorCode::NotImplemented), 501);
  EXPECT_EQ(http_status(ErrorCode::ModelFailure), 500);
}

}  // namespace
}  // namespace pt2run::server
