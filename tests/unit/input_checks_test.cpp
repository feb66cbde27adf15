// The runner's own input checks against what a package's generated code records.

#include "runner/input_checks.h"

#include <gtest/gtest.h>

#include "pt2run/error.h"

namespace pt2run {
namespace {

detail::SourceTensor spec(std::vector<detail::SourceDim> dims, std::string dtype = "float32") {
  return {"arg", std::move(dtype), std::move(dims)};
}

std::string error_of(const std::vector<Tensor>& inputs, const std::vector<detail::SourceTensor>& specs) {
  const std::vector<std::string> names = {"a", "b"};
  try {
    detail::check_inputs_against(inputs, names, specs);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(InputChecks, DtypesSizesRangesAndSharedSymbols) {
  const detail::SourceDim batch{std::nullopt, "s0", 2, 64};
  const detail::SourceDim sixteen{16, "", 0, std::nullopt};
  const std::vector<detail::SourceTensor> specs = {spec({batch, sixteen}), spec({batch})};
  auto t = [](std::vector<int64_t> sizes, DType dtype = DType::Float32) { return Tensor::zeros(sizes, dtype); };
  EXPECT_EQ(error_of({t({3, 16}), t({3})}, specs), "");
  EXPECT_NE(error_of({t({3, 16}, DType::Float64), t({3})}, specs).find("input 0 ('a') has dtype float64 but the model takes float32 (unmatched dtype)"),
            std::string::npos);
  EXPECT_NE(error_of({t({3, 16, 1}), t({3})}, specs).find("has 3 dimension(s) [3, 16, 1] but the model takes 2 [s0, 16]"),
            std::string::npos);
  EXPECT_NE(error_of({t({3, 15}), t({3})}, specs).find("dimension 1 must be 16"), std::string::npos);
  EXPECT_NE(error_of({t({1, 16}), t({1})}, specs).find("too small for the model. Expected 2..64 but received 1"), std::string::npos);
  EXPECT_NE(error_of({t({65, 16}), t({65})}, specs).find("too large for the model. Expected 2..64 but received 65"), std::string::npos);
  // s0 is one size: the second input must follow the first.
  EXPECT_NE(error_of({t({3, 16}), t({4})}, specs)
                .find("input 1 ('b') has shape [4]: dimension 0 is 4 but must equal the size 3 of input 0 ('a')"),
            std::string::npos);
}

}  // namespace
}  // namespace pt2run
