#pragma once

// Ops torch defines as compositions of simpler ones and AOTInductor still calls as one
// fallback: the bilinear layer's _trilinear and the fused RMS norm.

#include <vector>

#include "pt2run/tensor.h"

namespace pt2run::cpu {

// torch._trilinear: i1, i2, i3 each unsqueezed at its expand dims (ascending), multiplied
// with broadcasting, then summed over sumdim (those dims removed). unroll_dim only chooses
// torch's loop order. Contiguous result in the promoted dtype.
Tensor trilinear(const Tensor& i1, const Tensor& i2, const Tensor& i3, const std::vector<int64_t>& expand1,
                 const std::vector<int64_t>& expand2, const std::vector<int64_t>& expand3,
                 const std::vector<int64_t>& sumdim);

// torch._fused_rms_norm over the trailing normalized_shape dims: (x * rstd * weight, rstd),
// rstd = 1 / sqrt(mean(x^2) + eps) shaped [..., 1, ..., 1]; eps defaults to float's epsilon
// (double's for float64 input). The output is contiguous in the input's dtype; rstd is float32 for 16-bit input.
struct RmsNormResult {
  Tensor output, rstd;
};
RmsNormResult fused_rms_norm(const Tensor& input, const std::vector<int64_t>& normalized_shape, const Tensor* weight,
                             const double* eps);

}  // namespace pt2run::cpu
