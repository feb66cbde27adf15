#include "backends/cpu/special_gemm.h"

#include <vector>

#include "core/check.h"

namespace pt2run::cpu {
namespace {

// c[m, n] (row-major, ldc = n) = a[m, k] @ b[k, n] for double views given by element strides.
void gemm(const double* a, int64_t a_rs, int64_t a_cs, const double* b, int64_t b_rs, int64_t b_cs, double* c,
          int64_t m, int64_t n, int64_t k, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0;
      for (int64_t p = 0; p < k; ++p) acc += a[i * a_rs + p * a_cs] * b[p * b_rs + j * b_cs];
      c[i * ldc + j] = acc;
    }
}

bool is_float8(DType d) {
  return d == DType::Float8_e4m3fn || d == DType::Float8_e5m2 || d == DType::Float8_e4m3fnuz ||
         d == DType::Float8_e5m2fnuz;
}

std::vector<int64_t> group_ends(const Tensor* offs, int64_t groups, int64_t total, const char* what) {
  PT2RUN_CHECK(offs != nullptr, InvalidArgument, "_grouped_mm: offs is required when ", what);
  PT2RUN_CHECK(offs->dtype() == DType::Int32 && offs->dim() == 1 && (groups < 0 || offs->size(0) == groups),
               InvalidArgument, "_grouped_mm: offs must be int32 [groups], got ", offs->describe());
  const Tensor o = offs->contiguous();
  std::vector<int64_t> ends(o.data<int32_t>(), o.data<int32_t>() + o.numel());
  int64_t prev = 0;
  for (int64_t e : ends) {
    PT2RUN_CHECK(e >= prev && e <= total, InvalidArgument, "_grouped_mm: offs must be non-decreasing and at most ",
                 total, ", got ", e);
    prev = e;
  }
  return ends;
}

}  // namespace

Tensor grouped_mm(const Tensor& a, const Tensor& b, const Tensor* offs, std::optional<DType> out_dtype) {
  PT2RUN_CHECK(a.dtype() == b.dtype() && (a.dtype() == DType::BFloat16 || a.dtype() == DType::Float16 ||
                                          a.dtype() == DType::Float32),
               DTypeMismatch, "_grouped_mm needs two bfloat16, float16 or float32 operands of one dtype, got ",
               a.describe(), " and ", b.describe());
  PT2RUN_CHECK(!out_dtype || *out_dtype == a.dtype(), DTypeMismatch,
               "_grouped_mm: the output dtype must be mat_a's, as in torch");
  PT2RUN_CHECK((a.dim() == 2 || a.dim() == 3) && (b.dim() == 2 || b.dim() == 3), ShapeMismatch,
               "_grouped_mm takes 2-d or 3-d operands, got ", a.describe(), " and ", b.describe());
  const int64_t k = a.size(-1);
  PT2RUN_CHECK(b.size(-2) == k, ShapeMismatch, "_grouped_mm: inner dims of ", a.describe(), " and ", b.describe(),
               " differ");
  const Tensor wa = a.to(DType::Float64), wb = b.to(DType::Float64);
  const double* pa = wa.data<double>();
  const double* pb = wb.data<double>();
  Tensor out;
  if (a.dim() == 2 && b.dim() == 3) {
    const int64_t m = a.size(0), n = b.size(2);
    const auto ends = group_ends(offs, b.size(0), m, "mat_a is 2-d");
    out = Tensor::zeros({m, n}, DType::Float64);
    int64_t start = 0;
    for (std::size_t g = 0; g < ends.size(); ++g) {
      gemm(pa + start * k, k, 1, pb + static_cast<int64_t>(g) * k * n, n, 1, out.data<double>() + start * n,
           ends[g] - start, n, k, n);
      start = ends[g];
    }
  } else if (a.dim() == 3 && b.dim() == 3) {
    PT2RUN_CHECK(a.size(0) == b.size(0), ShapeMismatch, "_grouped_mm: batch sizes of ", a.describe(), " and ",
                 b.describe(), " differ");
    PT2RUN_CHECK(offs == nullptr, InvalidArgument, "_grouped_mm: offs must be absent for 3-d x 3-d");
    const int64_t g = a.size(0), m = a.size(1), n = b.size(2);
    out = Tensor::empty({g, m, n}, DType::Float64);
    for (int64_t i = 0; i < g; ++i)
      gemm(pa + i * m * k, k, 1, pb + i * k * n, n, 1, out.data<double>() + i * m * n, m, n, k, n);
  } else if (a.dim() == 2 && b.dim() == 2) {
    const int64_t m = a.size(0), n = b.size(1);
    const auto ends = group_ends(offs, -1, k, "both operands are 2-d");
    const auto groups = static_cast<int64_t>(ends.size());
    out = Tensor::zeros({groups, m, n}, DType::Float64);
    int64_t start = 0;
    for (int64_t g = 0; g < groups; ++g) {
      gemm(pa + start, k, 1, pb + start * n, n, 1, out.data<double>() + g * m * n, m, n, ends[static_cast<std::size_t>(g)] - start, n);
      start = ends[static_cast<std::size_t>(g)];
    }
  } else {
    const int64_t m = a.size(1), n = b.size(1);
    const auto ends = group_ends(offs, a.size(0), n, "mat_b is 2-d");
    out = Tensor::zeros({m, n}, DType::Float64);
    int64_t start = 0;
    for (std::size_t g = 0; g < ends.size(); ++g) {
      gemm(pa + static_cast<int64_t>(g) * m * k, k, 1, pb + start, n, 1, out.data<double>() + start, m,
           ends[g] - start, k, n);
      start = ends[g];
    }
  }
  return out.to(a.dtype());
}

Tensor scaled_mm(const Tensor& a, const Tensor& b, const Tensor& scale_a, const Tensor& scale_b, const Tensor* bias,
                 const Tensor* scale_result, std::optional<DType> out_dtype) {
  PT2RUN_CHECK(is_float8(a.dtype()) && is_float8(b.dtype()), DTypeMismatch,
               "_scaled_mm on the CPU needs float8 operands, got ", a.describe(), " and ", b.describe());
  PT2RUN_CHECK(a.dim() == 2 && b.dim() == 2 && a.size(1) == b.size(0), ShapeMismatch, "_scaled_mm: shapes ",
               a.describe(), " @ ", b.describe());
  const int64_t m = a.size(0), k = a.size(1), n = b.size(1);
  PT2RUN_CHECK(scale_a.numel() == 1 || (scale_a.numel() == m && scale_a.dim() == 2 && scale_a.size(0) == m),
               ShapeMismatch, "_scaled_mm: scale_a must be one value or [M, 1], got ", scale_a.describe());
  PT2RUN_CHECK(scale_b.numel() == 1 || (scale_b.numel() == n && scale_b.dim() == 2 && scale_b.size(1) == n),
               ShapeMismatch, "_scaled_mm: scale_b must be one value or [1, N], got ", scale_b.describe());
  if (bias) PT2RUN_CHECK(bias->numel() == n, ShapeMismatch, "_scaled_mm: bias must have N = ", n, " values, got ",
                         bias->describe());
  const DType result = out_dtype.value_or(a.dtype());
  // torch rounds the operands and the scales to float32 before multiplying.
  const Tensor wa = a.to(DType::Float32).to(DType::Float64), wb = b.to(DType::Float32).to(DType::Float64);
  const Tensor sa = scale_a.to(DType::Float32).to(DType::Float64), sb = scale_b.to(DType::Float32).to(DType::Float64);
  const Tensor bb = bias ? bias->to(DType::Float32).to(DType::Float64) : Tensor();
  // torch's CPU kernel (checked with torch 2.13) leaves scale_result unused, float8 output included.
  (void)scale_result;
  Tensor out = Tensor::empty({m, n}, DType::Float64);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const double s_a = sa.data<double>()[scale_a.numel() == 1 ? 0 : i];
      const double s_b = sb.data<double>()[scale_b.numel() == 1 ? 0 : j];
      double acc = 0;
      for (int64_t p = 0; p < k; ++p) acc += wa.data<double>()[i * k + p] * wb.data<double>()[p * n + j];
      acc *= s_a * s_b;
      if (bias) acc += bb.data<double>()[j];
      out.data<double>()[i * n + j] = acc;
    }
  return out.to(result);
}

}  // namespace pt2run::cpu
