// A user registers C++ implementations of the custom ops a package was exported with; the
// package then loads and its outputs match eager torch (which ran the Python implementations).

#include <gtest/gtest.h>

#include "pt2run/pt2run.h"
#include "testing/corpus.h"

namespace pt2run {
namespace {

Tensor scale_add(const Tensor& x, double scale, double shift, const Tensor* bias) {
  Tensor in = x.to(DType::Float32);
  Tensor out = Tensor::empty({in.sizes().begin(), in.sizes().end()}, DType::Float32);
  Tensor b = bias ? bias->to(DType::Float32) : Tensor();
  for (int64_t i = 0; i < in.numel(); ++i)
    out.data<float>()[i] = static_cast<float>(in.data<float>()[i] * scale + shift) +
                           (bias ? b.data<float>()[i] : 0.0f);
  return out;
}

// x.sum(dims) for a 2-D x and dims [1] or [0, 1].
Tensor sum_dims(const Tensor& x, const std::vector<int64_t>& dims) {
  Tensor in = x.to(DType::Float32);
  const int64_t rows = in.size(0), cols = in.size(1);
  if (dims.size() == 2) {
    Tensor out = Tensor::zeros({}, DType::Float32);
    for (int64_t i = 0; i < in.numel(); ++i) out.data<float>()[0] += in.data<float>()[i];
    return out;
  }
  EXPECT_EQ(dims, std::vector<int64_t>{1});
  Tensor out = Tensor::zeros({rows}, DType::Float32);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) out.data<float>()[r] += in.data<float>()[r * cols + c];
  return out;
}

void register_test_ops() {
  register_op("pt2run_test::twice(Tensor x) -> Tensor", [](const OpArgs& a) {
    return std::vector<Tensor>{scale_add(a.tensor("x"), 2.0, 0.0, nullptr)};
  }, /*replace=*/true);
  register_op(
      "pt2run_test::affine(Tensor x, Tensor? bias, int n, float alpha, int[] dims, *, "
      "int shift=3) -> (Tensor, Tensor)",
      [](const OpArgs& a) {
        auto bias = a.optional_tensor("bias");
        const Tensor& x = a.tensor("x");
        return std::vector<Tensor>{
            scale_add(x, a.float_value("alpha") * static_cast<double>(a.int_value("n")),
                      static_cast<double>(a.int_value("shift")), bias ? &*bias : nullptr),
            sum_dims(x, a.int_list("dims"))};
      },
      /*replace=*/true);
}

TEST(CustomOp, RegisteredOpsRunAndMatchEager) {
  PT2RUN_REQUIRE_CORPUS();
  register_test_ops();
  ModelInfo info = inspect_model(testing::package_path("custom_op"));
  EXPECT_TRUE(info.runs_here) << (info.reasons.empty() ? "" : info.reasons[0]);
  AOTIModelPackageLoader loader(testing::package_path("custom_op"), "model", false, /*num_runners=*/2);
  const auto entry = testing::model_entry("custom_op");
  for (const auto& c : entry["cases"]) {
    testing::Case data = testing::load_case("custom_op", c);
    testing::expect_outputs(loader.run(data.inputs), data, "custom_op");
  }
  unregister_op("pt2run_test::twice");
  unregister_op("pt2run_test::affine");
}

TEST(CustomOp, KernelErrorsReachTheCaller) {
  PT2RUN_REQUIRE_CORPUS();
  register_test_ops();
  register_op("pt2run_test::twice(Tensor x) -> Tensor", [](const OpArgs&) -> std::vector<Tensor> {
    throw Error(ErrorCode::InvalidArgument, "twice refuses this input");
  }, /*replace=*/true);
  AOTIModelPackageLoader loader(testing::package_path("custom_op"));
  const auto entry = testing::model_entry("custom_op");
  testing::Case data = testing::load_case("custom_op", entry["cases"][0]);
  try {
    loader.run(data.inputs);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::ModelFailure);
    EXPECT_NE(std::string(e.what()).find("twice refuses this input"), std::string::npos) << e.what();
  }
  unregister_op("pt2run_test::twice");
  unregister_op("pt2run_test::affine");
}

TEST(CustomOp, AWrongSchemaIsRefusedAtLoad) {
  PT2RUN_REQUIRE_CORPUS();
  register_test_ops();
  // The model passes 'shift' by name; a schema without it cannot describe the call.
  register_op("pt2run_test::affine(Tensor x, Tensor? bias, int n, float alpha, int[] dims) -> (Tensor, Tensor)",
              [](const OpArgs&) { return std::vector<Tensor>{}; }, /*replace=*/true);
  try {
    AOTIModelPackageLoader loader(testing::package_path("custom_op"));
    ADD_FAILURE() << "loaded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidPackage);
    EXPECT_NE(std::string(e.what()).find("'shift' is not in the registered schema"), std::string::npos)
        << e.what();
  }
  unregister_op("pt2run_test::twice");
  unregister_op("pt2run_test::affine");
}

}  // namespace
}  // namespace pt2run
