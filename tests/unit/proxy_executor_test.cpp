// The proxy executor: torch schema parsing, the op registry, and unflattening of AOTInductor's
// (ints, tensors) arrays against a node list, with the failure paths.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ops/op_schema.h"
#include "ops/proxy_executor.h"
#include "pt2run/custom_ops.h"
#include "pt2run/error.h"
#include "shim/aoti_shim.h"
#include "shim/shim_guard.h"

namespace pt2run {
namespace {

using detail::OpType;
using detail::OpValue;
using detail::ProxyExecutor;
using detail::parse_op_schema;

template <class F>
ErrorCode code_of(F&& f, std::string* message = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (message) *message = e.message();
    return e.code();
  }
  ADD_FAILURE() << "no error";
  return ErrorCode::Internal;
}

TEST(OpSchema, ParsesTorchSchemas) {
  auto s = parse_op_schema(
      "aten::_unique2(Tensor self, bool sorted=True, bool return_inverse=False, bool "
      "return_counts=False) -> (Tensor, Tensor, Tensor)");
  EXPECT_EQ(s.qualified_name, "aten::_unique2");
  ASSERT_EQ(s.arguments.size(), 4u);
  EXPECT_EQ(s.arguments[1].name, "sorted");
  ASSERT_TRUE(s.arguments[1].default_value.has_value());
  EXPECT_TRUE(s.arguments[1].default_value->bools.at(0));
  EXPECT_EQ(s.returns.size(), 3u);

  s = parse_op_schema(
      "aten::scatter_reduce.two_out(Tensor self, int dim, Tensor index, Tensor src, str reduce, "
      "*, bool include_self=True, Tensor(a!) out) -> Tensor(a!)");
  EXPECT_EQ(s.qualified_name, "aten::scatter_reduce.two_out");
  EXPECT_TRUE(s.arguments[5].kwarg_only);
  EXPECT_TRUE(s.arguments[6].is_write);
  EXPECT_EQ(s.returns.at(0).type.base, OpType::Tensor);

  s = parse_op_schema(
      "ns::op(Tensor?[] indices, int[2] stride=1, SymInt[] size=[], float? scale=None, "
      "str side='left', ScalarType? dtype=None, float eps=1e-05, int n=-3, "
      "MemoryFormat memory_format=contiguous_format) -> Tensor[]");
  EXPECT_TRUE(s.arguments[0].type.list && s.arguments[0].type.element_optional);
  EXPECT_EQ(s.arguments[1].default_value->ints, (std::vector<int64_t>{1, 1}));
  EXPECT_TRUE(s.arguments[2].default_value->ints.empty());
  EXPECT_TRUE(s.arguments[3].type.optional);
  EXPECT_EQ(s.arguments[3].default_value->kind, OpValue::Kind::None);
  EXPECT_EQ(s.arguments[4].default_value->text, "left");
  EXPECT_DOUBLE_EQ(s.arguments[6].default_value->floats.at(0), 1e-05);
  EXPECT_EQ(s.arguments[7].default_value->ints.at(0), -3);
  EXPECT_EQ(s.arguments[8].default_value->text, "contiguous_format");
  EXPECT_TRUE(s.returns.at(0).type.list);

  EXPECT_TRUE(parse_op_schema("ns::nothing() -> ()").returns.empty());
}

TEST(OpSchema, RejectsMalformedSchemasWithThePosition) {
  for (const char* bad : {"op(Tensor x) -> Tensor", "ns::op(Tensor) -> Tensor",
                          "ns::op(Tensor x -> Tensor", "ns::op(Tensor x) Tensor",
                          "ns::op(Tensor x) -> Tensor extra junk", "ns::op(int n=) -> Tensor"}) {
    std::string message;
    EXPECT_EQ(code_of([&] { parse_op_schema(bad); }, &message), ErrorCode::InvalidArgument) << bad;
    EXPECT_NE(message.find("at offset"), std::string::npos) << message;
  }
}

TEST(OpRegistry, RegistersReplacesAndRefuses) {
  auto kernel = [](const OpArgs& a) { return std::vector<Tensor>{a.tensor("x")}; };
  register_op("pt2run_unit::id(Tensor x) -> Tensor", kernel);
  EXPECT_TRUE(is_op_registered("pt2run_unit::id"));
  std::string message;
  EXPECT_EQ(code_of([&] { register_op("pt2run_unit::id(Tensor x) -> Tensor", kernel); }, &message),
            ErrorCode::InvalidArgument);
  EXPECT_NE(message.find("already registered"), std::string::npos);
  register_op("pt2run_unit::id(Tensor x) -> Tensor", kernel, /*replace=*/true);
  EXPECT_EQ(code_of([&] { register_op("pt2run_unit::count(Tensor x) -> int", kernel); }, &message),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(code_of([&] { register_op("pt2run_unit::empty(Tensor x) -> Tensor", nullptr); }),
            ErrorCode::InvalidArgument);
  EXPECT_TRUE(unregister_op("pt2run_unit::id"));
  EXPECT_FALSE(unregister_op("pt2run_unit::id"));
  EXPECT_FALSE(is_op_registered("pt2run_unit::id"));
  // pt2run's own ATen ops are there from the start.
  EXPECT_TRUE(is_op_registered("aten::_fft_c2r"));
  EXPECT_TRUE(is_op_registered("aten::median.dim"));
}

AtenTensorHandle handle(Tensor t) { return shim::release_handle(std::move(t)); }
Tensor& view(AtenTensorHandle h) { return *reinterpret_cast<Tensor*>(h); }

Tensor filled(std::vector<int64_t> sizes, float value) {
  Tensor t = Tensor::empty(sizes, DType::Float32);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = value;
  return t;
}

// A node as AOTInductor serializes it: given arguments by name (defaults left out), outputs.
std::string node_list(const std::string& target, nlohmann::json inputs, nlohmann::json outputs) {
  nlohmann::json node = {{"target", target}, {"inputs", inputs}, {"outputs", outputs}};
  return nlohmann::json{{"nodes", {{{"name", "buf0"}, {"node", node}}}}}.dump();
}

// A device backend's kernel for a built-in host op is kept beside it (the CUDA plugin's
// _fft_c2r on cuFFT; the GPU tests run it), only for built-in host ops, and one per device.
TEST(OpRegistry, DeviceKernelsJoinBuiltInHostOpsOnly) {
  auto kernel = [](const OpArgs&) { return std::vector<Tensor>{}; };
  const auto before = detail::find_op("aten::bincount");
  ASSERT_NE(before, nullptr);
  EXPECT_EQ(before->device_kernel(DeviceType::CUDA), nullptr);
  EXPECT_TRUE(detail::register_device_kernel("aten::bincount", DeviceType::CUDA, kernel));
  EXPECT_TRUE(detail::register_device_kernel("aten::bincount", DeviceType::CUDA, kernel));  // replaces
  const auto after = detail::find_op("aten::bincount");
  ASSERT_NE(after->device_kernel(DeviceType::CUDA), nullptr);
  EXPECT_EQ(after->device_kernels.size(), 1u);
  EXPECT_EQ(after->device_kernel(DeviceType::CPU), nullptr);
  EXPECT_EQ(before->device_kernel(DeviceType::CUDA), nullptr);  // what a runner resolved stays
  EXPECT_EQ(after->schema.text, before->schema.text);
  EXPECT_FALSE(detail::register_device_kernel("aten::no_such_op", DeviceType::CUDA, kernel));
  register_op("pt2run_unit::users(Tensor x) -> Tensor", kernel, true);
  EXPECT_FALSE(detail::register_device_kernel("pt2run_unit::users", DeviceType::CUDA, kernel));  // not built in
  unregister_op("pt2run_unit::users");
  EXPECT_THROW(detail::register_device_kernel("aten::bincount", DeviceType::CUDA, nullptr), Error);
}

TEST(ProxyExecutor, UnflattensArgumentsByTheSchema) {
  struct Seen {
    int64_t n = 0, k = 0;
    double alpha = 0;
    bool flag = false;
    std::vector<int64_t> dims;
    std::size_t optional_present = 0;
    bool bias_none = false;
  } seen;
  register_op(
      "pt2run_unit::mix(Tensor x, Tensor? bias, int n, float alpha, int[] dims, Tensor?[] opt, *, "
      "int k=3, bool flag=True) -> (Tensor, Tensor[])",
      [&](const OpArgs& a) {
        seen.n = a.int_value("n");
        seen.k = a.int_value("k");
        seen.alpha = a.float_value("alpha");
        seen.flag = a.bool_value("flag");
        seen.dims = a.int_list("dims");
        seen.bias_none = a.is_none("bias");
        for (auto& t : a.optional_tensor_list("opt")) seen.optional_present += t.has_value();
        const Tensor& x = a.tensor("x");
        return std::vector<Tensor>{x, filled({2}, 7.0f), filled({3}, 8.0f)};
      },
      /*replace=*/true);
  const std::string json = node_list(
      "pt2run_unit::mix",
      {{{"name", "x"}, {"arg", {{"as_tensor", {{"name", "arg0"}}}}}},
       {{"name", "bias"}, {"arg", {{"as_none", true}}}},
       {{"name", "n"}, {"arg", {{"as_int", 5}}}},
       {{"name", "alpha"}, {"arg", {{"as_float", 0.5}}}},
       {{"name", "dims"}, {"arg", {{"as_ints", {1, 2}}}}},
       {{"name", "opt"},
        {"arg", {{"as_optional_tensors", {{{"as_tensor", {{"name", "a"}}}}, {{"as_none", true}}, {{"as_tensor", {{"name", "b"}}}}}}}}}},
      {{{"as_tensor", {{"name", "buf1"}}}}, {{"as_tensors", {{{"name", "buf2"}}, {{"name", "buf3"}}}}}});
  ProxyExecutor executor(json, "test nodes");
  // ints: n, dims[0], dims[1], k (a default, flattened all the same); tensors: x, the two
  // present optional tensors, then the three output handles.
  int64_t ints[] = {5, 1, 2, 3};
  Tensor x = filled({4}, 1.0f);
  AtenTensorHandle tensors[] = {handle(x), handle(filled({1}, 0)), handle(filled({1}, 0)),
                                handle(Tensor()), handle(Tensor()), handle(Tensor())};
  executor.call(0, 4, ints, 6, tensors);
  EXPECT_EQ(seen.n, 5);
  EXPECT_EQ(seen.k, 3);
  EXPECT_DOUBLE_EQ(seen.alpha, 0.5);
  EXPECT_TRUE(seen.flag);
  EXPECT_EQ(seen.dims, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(seen.optional_present, 2u);
  EXPECT_TRUE(seen.bias_none);
  EXPECT_TRUE(view(tensors[3]).shares_storage_with(x));  // a result may alias an input
  EXPECT_EQ(view(tensors[4]).data<float>()[1], 7.0f);
  EXPECT_EQ(view(tensors[5]).size(0), 3);

  std::string message;
  EXPECT_EQ(code_of([&] { executor.call(0, 3, ints, 6, tensors); }, &message), ErrorCode::InvalidArgument);
  EXPECT_NE(message.find("register the schema the model was exported with"), std::string::npos);
  EXPECT_EQ(code_of([&] { executor.call(1, 4, ints, 6, tensors); }), ErrorCode::InvalidArgument);
  for (AtenTensorHandle h : tensors) delete reinterpret_cast<Tensor*>(h);
  unregister_op("pt2run_unit::mix");
}

// CUDA graphs of torch before 2.13 call grid_sampler_3d through the proxy executor: it gives
// what the C shim function (checked against eager) gives.
TEST(ProxyExecutor, GridSampler3dMatchesItsShimFunction) {
  const std::string json = node_list(
      "aten::grid_sampler_3d",
      {{{"name", "input"}, {"arg", {{"as_tensor", {{"name", "arg0"}}}}}},
       {{"name", "grid"}, {"arg", {{"as_tensor", {{"name", "arg1"}}}}}},
       {{"name", "interpolation_mode"}, {"arg", {{"as_int", 0}}}},
       {{"name", "padding_mode"}, {"arg", {{"as_int", 1}}}},
       {{"name", "align_corners"}, {"arg", {{"as_bool", true}}}}},
      {{{"as_tensor", {{"name", "buf0"}}}}});
  ProxyExecutor executor(json, "test nodes");
  Tensor input = Tensor::empty({1, 2, 2, 3, 2}, DType::Float32), grid = Tensor::empty({1, 2, 1, 2, 3}, DType::Float32);
  for (int64_t i = 0; i < input.numel(); ++i) input.data<float>()[i] = static_cast<float>(i % 7) - 2.5f;
  for (int64_t i = 0; i < grid.numel(); ++i) grid.data<float>()[i] = static_cast<float>(i % 5) * 0.45f - 0.9f;
  int64_t ints[] = {0, 1};
  AtenTensorHandle tensors[] = {handle(input), handle(grid), handle(Tensor())};
  executor.call(0, 2, ints, 3, tensors);
  AtenTensorHandle expected = nullptr;
  ASSERT_EQ(aoti_torch_cpu_grid_sampler_3d(tensors[0], tensors[1], 0, 1, 1, &expected), 0);
  const Tensor& got = view(tensors[2]);
  ASSERT_EQ(got.numel(), view(expected).numel());
  EXPECT_EQ(got.size(1), 2);
  for (int64_t i = 0; i < got.numel(); ++i) EXPECT_EQ(got.data<float>()[i], view(expected).data<float>()[i]);
  delete reinterpret_cast<Tensor*>(expected);
  for (AtenTensorHandle h : tensors) delete reinterpret_cast<Tensor*>(h);
}

TEST(ProxyExecutor, ShimEntryPointReportsKernelErrorsAsCodes) {
  register_op("pt2run_unit::fails(Tensor x) -> Tensor", [](const OpArgs&) -> std::vector<Tensor> {
    throw Error(ErrorCode::InvalidArgument, "the kernel refuses");
  }, true);
  const std::string json = node_list("pt2run_unit::fails",
                                     {{{"name", "x"}, {"arg", {{"as_tensor", {{"name", "a"}}}}}}},
                                     {{{"as_tensor", {{"name", "buf1"}}}}});
  ProxyExecutor executor(json, "test nodes");
  AtenTensorHandle tensors[] = {handle(filled({1}, 0)), handle(Tensor())};
  auto* as_handle = reinterpret_cast<AOTIProxyExecutorHandle>(&executor);
  EXPECT_NE(aoti_torch_proxy_executor_call_function(as_handle, 0, 0, nullptr, 2, tensors), 0);
  EXPECT_NE(shim::last_error().find("the kernel refuses"), std::string::npos);
  EXPECT_NE(aoti_torch_proxy_executor_call_function(nullptr, 0, 0, nullptr, 2, tensors), 0);
  EXPECT_NE(shim::last_error().find("node list"), std::string::npos);
  for (AtenTensorHandle h : tensors) delete reinterpret_cast<Tensor*>(h);
  unregister_op("pt2run_unit::fails");
}

TEST(ProxyExecutor, RefusesUnknownOpsAndMismatchedNodes) {
  std::string message;
  const std::string unknown = node_list("pt2run_unit::nobody", nlohmann::json::array(),
                                        {{{"as_tensor", {{"name", "buf1"}}}}});
  EXPECT_EQ(code_of([&] { ProxyExecutor(unknown, "pkg"); }, &message), ErrorCode::UnsupportedPackage);
  EXPECT_NE(message.find("pt2run_unit::nobody"), std::string::npos);
  EXPECT_NE(message.find("register_op"), std::string::npos);
  EXPECT_EQ(ProxyExecutor::missing_ops(unknown, "pkg"), std::vector<std::string>{"pt2run_unit::nobody"});

  register_op("pt2run_unit::two(Tensor x, int n) -> Tensor",
              [](const OpArgs& a) { return std::vector<Tensor>{a.tensor("x")}; }, true);
  // An argument the schema lacks; a required argument missing; a tensor passed as an int.
  for (const auto& inputs :
       {nlohmann::json{{{"name", "y"}, {"arg", {{"as_int", 1}}}}},
        nlohmann::json{{{"name", "x"}, {"arg", {{"as_tensor", {{"name", "a"}}}}}}},
        nlohmann::json{{{"name", "x"}, {"arg", {{"as_int", 1}}}}, {{"name", "n"}, {"arg", {{"as_int", 1}}}}}}) {
    const std::string json = node_list("pt2run_unit::two", inputs, {{{"as_tensor", {{"name", "b"}}}}});
    EXPECT_EQ(code_of([&] { ProxyExecutor(json, "pkg"); }, &message), ErrorCode::InvalidPackage)
        << inputs.dump();
  }
  EXPECT_EQ(code_of([&] { ProxyExecutor("{not json", "pkg"); }), ErrorCode::InvalidPackage);
  EXPECT_EQ(code_of([&] { ProxyExecutor(R"({"nodes": [{"node": {}}]})", "pkg"); }),
            ErrorCode::InvalidPackage);
  unregister_op("pt2run_unit::two");
}

}  // namespace
}  // namespace pt2run
