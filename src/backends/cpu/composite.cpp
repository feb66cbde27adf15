#include "backends/cpu/composite.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>

#include "backends/cpu/elementwise.h"
#include "backends/cpu/index_walk.h"
#include "core/check.h"
#include "core/layout.h"
#include "core/views.h"

namespace pt2run::cpu {
namespace {

Tensor unsqueezed(const Tensor& t, std::vector<int64_t> dims, const char* name) {
  std::sort(dims.begin(), dims.end());
  Tensor v = t;
  for (int64_t d : dims) {
    PT2RUN_CHECK(d >= 0 && d <= v.dim(), InvalidArgument, "_trilinear: ", name, " dim ", d, " is out of range");
    v = detail::unsqueeze(v, d);
  }
  return v;
}

}  // namespace

Tensor trilinear(const Tensor& i1, const Tensor& i2, const Tensor& i3, const std::vector<int64_t>& expand1,
                 const std::vector<int64_t>& expand2, const std::vector<int64_t>& expand3,
                 const std::vector<int64_t>& sumdim) {
  const Tensor a = unsqueezed(i1, expand1, "expand1"), b = unsqueezed(i2, expand2, "expand2"),
               c = unsqueezed(i3, expand3, "expand3");
  PT2RUN_CHECK(a.dim() == b.dim() && b.dim() == c.dim(), ShapeMismatch, "_trilinear: the expanded inputs ",
               a.describe(), ", ", b.describe(), ", ", c.describe(), " differ in rank");
  PT2RUN_CHECK(i1.dtype() == i2.dtype() && i2.dtype() == i3.dtype(), DTypeMismatch,
               "_trilinear needs three inputs of one dtype, got ", i1.describe(), ", ", i2.describe(), ", ",
               i3.describe());
  const DType result = i1.dtype();
  const Tensor product = mul(mul(a, b), c).to(is_complex(result) ? DType::Complex128 : DType::Float64);
  std::vector<bool> summed(static_cast<std::size_t>(product.dim()), false);
  for (int64_t d : sumdim) {
    PT2RUN_CHECK(d >= 0 && d < product.dim(), InvalidArgument, "_trilinear: sumdim ", d, " is out of range");
    summed[static_cast<std::size_t>(d)] = true;
  }
  std::vector<int64_t> out_sizes, kept_strides(static_cast<std::size_t>(product.dim()), 0);
  for (int64_t d = 0; d < product.dim(); ++d)
    if (!summed[static_cast<std::size_t>(d)]) out_sizes.push_back(product.size(d));
  int64_t stride = 1;
  for (int64_t d = product.dim() - 1; d >= 0; --d) {
    if (summed[static_cast<std::size_t>(d)]) continue;
    kept_strides[static_cast<std::size_t>(d)] = stride;
    stride *= product.size(d);
  }
  Tensor acc = Tensor::zeros(out_sizes, product.dtype());
  for_each_index(product.sizes(), [&](int64_t e, const std::vector<int64_t>& index) {
    int64_t o = 0;
    for (std::size_t d = 0; d < index.size(); ++d) o += index[d] * kept_strides[d];
    if (is_complex(result)) acc.data<std::complex<double>>()[o] += product.data<std::complex<double>>()[e];
    else acc.data<double>()[o] += product.data<double>()[e];
  });
  return acc.to(result);
}

RmsNormResult fused_rms_norm(const Tensor& input, const std::vector<int64_t>& normalized_shape, const Tensor* weight,
                             const double* eps) {
  PT2RUN_CHECK(is_floating_point(input.dtype()), DTypeMismatch, "_fused_rms_norm needs a floating-point input, got ",
               input.describe());
  const auto k = static_cast<int64_t>(normalized_shape.size());
  PT2RUN_CHECK(k >= 1 && k <= input.dim(), ShapeMismatch, "_fused_rms_norm: normalized_shape of ", k,
               " dims for ", input.describe());
  int64_t row = 1;
  for (int64_t i = 0; i < k; ++i) {
    PT2RUN_CHECK(input.size(input.dim() - k + i) == normalized_shape[static_cast<std::size_t>(i)], ShapeMismatch,
                 "_fused_rms_norm: input ", input.describe(), " does not end in the normalized shape");
    row *= normalized_shape[static_cast<std::size_t>(i)];
  }
  if (weight)
    PT2RUN_CHECK(weight->numel() == row && weight->dim() == k, ShapeMismatch, "_fused_rms_norm: weight ",
                 weight->describe(), " must have the normalized shape");
  // The default epsilon is that of the type torch accumulates in: float for 16-bit input.
  const double epsilon = eps ? *eps
                         : input.dtype() == DType::Float64 ? std::numeric_limits<double>::epsilon()
                                                           : static_cast<double>(std::numeric_limits<float>::epsilon());
  const Tensor x = input.to(DType::Float64);
  const Tensor w = weight ? weight->to(DType::Float64) : Tensor();
  const int64_t rows = row == 0 ? 0 : x.numel() / row;
  Tensor out = Tensor::empty(detail::sizes_of(input), DType::Float64);
  std::vector<int64_t> rstd_sizes = detail::sizes_of(input);
  for (int64_t i = 0; i < k; ++i) rstd_sizes[static_cast<std::size_t>(input.dim() - 1 - i)] = 1;
  Tensor rstd = Tensor::empty(rstd_sizes, DType::Float64);
  for (int64_t r = 0; r < rows; ++r) {
    const double* xr = x.data<double>() + r * row;
    double sq = 0;
    for (int64_t j = 0; j < row; ++j) sq += xr[j] * xr[j];
    const double s = 1.0 / std::sqrt(sq / static_cast<double>(row) + epsilon);
    rstd.data<double>()[r] = s;
    for (int64_t j = 0; j < row; ++j) out.data<double>()[r * row + j] = xr[j] * s * (weight ? w.data<double>()[j] : 1.0);
  }
  const bool narrow = input.dtype() == DType::Float16 || input.dtype() == DType::BFloat16;
  return {out.to(input.dtype()), rstd.to(narrow ? DType::Float32 : input.dtype())};
}

}  // namespace pt2run::cpu
