#include "backends/cpu/linalg.h"

#include <cmath>
#include <limits>
#include <vector>

#include "backends/cpu/blas.h"
#include "backends/cpu/dim_lines.h"
#include "core/check.h"

// LAPACK from OpenBLAS (Fortran calling convention; no LAPACKE needed).
extern "C" {
void dgetrf_(const int* m, const int* n, double* a, const int* lda, int* ipiv, int* info);
void dgetri_(const int* n, double* a, const int* lda, const int* ipiv, double* work,
             const int* lwork, int* info);
}

namespace pt2run::cpu {

void int_mm(const Tensor& out, const Tensor& a, const Tensor& b) {
  PT2RUN_CHECK(a.dtype() == DType::Int8 && b.dtype() == DType::Int8 && out.dtype() == DType::Int32,
               DTypeMismatch, "_int_mm needs int8 x int8 -> int32, got ", a.describe(), ", ",
               b.describe(), " -> ", out.describe());
  PT2RUN_CHECK(a.dim() == 2 && b.dim() == 2 && a.size(1) == b.size(0) && out.dim() == 2 &&
                   out.size(0) == a.size(0) && out.size(1) == b.size(1),
               ShapeMismatch, "_int_mm: shapes ", a.describe(), " @ ", b.describe(), " -> ", out.describe());
  const int64_t m = a.size(0), k = a.size(1), n = b.size(1);
  Tensor ac = a.contiguous(), bc = b.contiguous();
  Tensor result = Tensor::empty({m, n}, DType::Int32);
  const int8_t* pa = ac.data<int8_t>();
  const int8_t* pb = bc.data<int8_t>();
  int32_t* pc = result.data<int32_t>();
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) pc[i * n + j] = 0;
    for (int64_t p = 0; p < k; ++p) {
      const int32_t x = pa[i * k + p];
      for (int64_t j = 0; j < n; ++j) pc[i * n + j] += x * pb[p * n + j];
    }
  }
  Tensor o = out;
  o.copy_(result);
}

Tensor weight_int8pack_mm(const Tensor& x, const Tensor& w, const Tensor& scales) {
  PT2RUN_CHECK(w.dtype() == DType::Int8 && w.dim() == 2, DTypeMismatch,
               "_weight_int8pack_mm: the weight must be 2-D int8, got ", w.describe());
  PT2RUN_CHECK(x.dim() == 2 && x.size(1) == w.size(1) && scales.numel() == w.size(0), ShapeMismatch,
               "_weight_int8pack_mm: x ", x.describe(), ", weight ", w.describe(), " and scales ",
               scales.describe(), " do not fit");
  const int64_t m = x.size(0), k = x.size(1), n = w.size(0);
  Tensor xf = x.to(DType::Float32), wf = w.to(DType::Float32), sf = scales.to(DType::Float32);
  Tensor out = Tensor::empty({m, n}, DType::Float32);
  blas::gemm(false, true, m, n, k, 1.0f, xf.data<float>(), k, wf.data<float>(), k, 0.0f,
             out.data<float>(), n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) out.data<float>()[i * n + j] *= sf.data<float>()[j];
  return x.dtype() == DType::Float32 ? out : out.to(x.dtype());
}

namespace {

// The p-norm of u - v: p = 0 counts differing coordinates, p = inf takes the largest.
double p_distance(const double* u, const double* v, int64_t cols, double p) {
  double acc = 0;
  for (int64_t c = 0; c < cols; ++c) {
    const double d = std::abs(u[c] - v[c]);
    if (p == 0) acc += d != 0;
    else if (std::isinf(p)) acc = std::max(acc, d);
    else if (p == 1) acc += d;
    else if (p == 2) acc += d * d;
    else acc += std::pow(d, p);
  }
  if (p == 2) return std::sqrt(acc);
  if (p != 0 && p != 1 && !std::isinf(p)) return std::pow(acc, 1.0 / p);
  return acc;
}

}  // namespace

Tensor pdist(const Tensor& x, double p) {
  PT2RUN_CHECK(x.dim() == 2, ShapeMismatch, "pdist needs a 2-d input [N, M], got ", x.describe());
  PT2RUN_CHECK(p >= 0, InvalidArgument, "pdist: p must be non-negative, got ", p);
  PT2RUN_CHECK(is_floating_point(x.dtype()), DTypeMismatch, "pdist needs a floating-point input, got ", x.describe());
  const int64_t n = x.size(0), cols = x.size(1);
  const Tensor a = x.to(DType::Float64);
  Tensor out = Tensor::empty({n < 2 ? 0 : n * (n - 1) / 2}, DType::Float64);
  int64_t k = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j)
      out.data<double>()[k++] = p_distance(a.data<double>() + i * cols, a.data<double>() + j * cols, cols, p);
  return out.to(x.dtype());
}

Tensor cdist(const Tensor& x1, const Tensor& x2, double p) {
  PT2RUN_CHECK(x1.dim() >= 2 && x1.dim() == x2.dim() && x1.size(-1) == x2.size(-1), ShapeMismatch,
               "cdist: ", x1.describe(), " and ", x2.describe(), " need the same rank (>= 2) and columns");
  PT2RUN_CHECK(p >= 0, InvalidArgument, "cdist: p must be non-negative, got ", p);
  std::vector<int64_t> out_sizes = sizes_vector(x1);
  int64_t batch = 1;
  for (int64_t d = 0; d + 2 < x1.dim(); ++d) {
    PT2RUN_CHECK(x1.size(d) == x2.size(d), ShapeMismatch, "cdist: batch dims of ", x1.describe(),
                 " and ", x2.describe(), " differ");
    batch *= x1.size(d);
  }
  const int64_t rows1 = x1.size(-2), rows2 = x2.size(-2), cols = x1.size(-1);
  out_sizes.back() = rows2;
  Tensor a = x1.to(DType::Float64), b = x2.to(DType::Float64);
  Tensor out = Tensor::empty(out_sizes, DType::Float64);
  for (int64_t bi = 0; bi < batch; ++bi) {
    for (int64_t i = 0; i < rows1; ++i) {
      for (int64_t j = 0; j < rows2; ++j) {
        const double* u = a.data<double>() + (bi * rows1 + i) * cols;
        const double* v = b.data<double>() + (bi * rows2 + j) * cols;
        const double acc = p_distance(u, v, cols, p);
        out.data<double>()[(bi * rows1 + i) * rows2 + j] = acc;
      }
    }
  }
  return out.to(x1.dtype());
}

InverseResult inverse(const Tensor& a) {
  PT2RUN_CHECK(a.dim() >= 2 && a.size(-1) == a.size(-2), ShapeMismatch,
               "linalg.inv needs square matrices [..., n, n], got ", a.describe());
  PT2RUN_CHECK(is_floating_point(a.dtype()), DTypeMismatch, "linalg.inv needs a floating-point input, got ",
               a.describe());
  const int n = static_cast<int>(a.size(-1));
  const int64_t batch = n == 0 ? 0 : a.numel() / (static_cast<int64_t>(n) * n);
  std::vector<int64_t> batch_sizes = sizes_vector(a);
  batch_sizes.resize(batch_sizes.size() - 2);
  // LAPACK is column-major: inverting the transpose and reading it back row-major inverts A.
  Tensor work = a.to(DType::Float64);
  Tensor info = Tensor::empty(batch_sizes, DType::Int32);
  std::vector<int> pivots(static_cast<std::size_t>(std::max(n, 1)));
  for (int64_t b = 0; b < batch; ++b) {
    double* m = work.data<double>() + b * n * n;
    int status = 0;
    dgetrf_(&n, &n, m, &n, pivots.data(), &status);
    if (status == 0) {
      int lwork = -1;
      double query = 0;
      dgetri_(&n, m, &n, pivots.data(), &query, &lwork, &status);
      lwork = std::max(1, static_cast<int>(query));
      std::vector<double> scratch(static_cast<std::size_t>(lwork));
      dgetri_(&n, m, &n, pivots.data(), scratch.data(), &lwork, &status);
    }
    info.data<int32_t>()[b] = status;
  }
  // torch returns the inverse batched column-major (strides [.., 1, n]), and AOTInductor
  // asserts those strides.
  std::vector<int64_t> strides = contiguous_strides(sizes_vector(a));
  if (a.dim() >= 2) {
    strides[strides.size() - 1] = n;
    strides[strides.size() - 2] = 1;
  }
  Tensor inverse = Tensor::empty_strided(sizes_vector(a), strides, a.dtype());
  inverse.copy_(work);
  return {inverse, info};
}

}  // namespace pt2run::cpu
