#include "backends/cpu/gemm.h"

#include <algorithm>
#include <cmath>

#include "backends/cpu/blas.h"
#include "core/check.h"
#include "core/layout.h"
#include "core/tensor_copy.h"

namespace pt2run::cpu {
namespace {

// How BLAS sees one strided matrix: row-major with leading dimension ld, transposed or not.
struct BlasView {
  bool transposed = false;
  int64_t ld = 0;
};

// A unit stride on either dim lets BLAS read the matrix in place.
std::optional<BlasView> blas_view(const Tensor& m) {
  const int64_t rows = m.sizes()[0], cols = m.sizes()[1];
  const int64_t s0 = m.strides()[0], s1 = m.strides()[1];
  if ((s1 == 1 || cols == 1) && s0 >= std::max<int64_t>(1, cols)) return BlasView{false, s0};
  if ((s0 == 1 || rows == 1) && s1 >= std::max<int64_t>(1, rows)) return BlasView{true, s1};
  return std::nullopt;
}

// c = alpha * a @ b + beta * c for float/double matrices of any strides; c already holds
// the (broadcast) bias when beta != 0.
template <class T>
void strided_gemm(const Tensor& c, const Tensor& a_in, const Tensor& b_in, T alpha, T beta) {
  const int64_t m = c.sizes()[0], n = c.sizes()[1], k = a_in.sizes()[1];
  if (m == 0 || n == 0) return;
  Tensor a = a_in, b = b_in;
  auto va = blas_view(a);
  if (!va) va = blas_view(a = a.contiguous());
  auto vb = blas_view(b);
  if (!vb) vb = blas_view(b = b.contiguous());
  if (k == 0) {
    // BLAS leaves C untouched when k == 0 only if beta == 1; scale explicitly.
    Tensor scaled = c.to(DType::Float64);
    double* p = scaled.data<double>();
    for (int64_t i = 0; i < scaled.numel(); ++i) p[i] = beta == T(0) ? 0.0 : p[i] * beta;
    Tensor(c).copy_(scaled);
    return;
  }
  auto vc = blas_view(c);
  Tensor target = vc ? c : c.contiguous();
  if (!vc) vc = blas_view(target);
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  T* pc = target.data<T>();
  if (!vc->transposed) {
    blas::gemm(va->transposed, vb->transposed, m, n, k, alpha, pa, std::max<int64_t>(va->ld, 1),
                 pb, std::max<int64_t>(vb->ld, 1), beta, pc, std::max<int64_t>(vc->ld, 1));
  } else {
    // C is column-major: compute C^T = B^T A^T in row-major terms.
    blas::gemm(!vb->transposed, !va->transposed, n, m, k, alpha, pb, std::max<int64_t>(vb->ld, 1),
                 pa, std::max<int64_t>(va->ld, 1), beta, pc, std::max<int64_t>(vc->ld, 1));
  }
  if (!target.shares_storage_with(c)) Tensor(c).copy_(target);
}

// Integer matmul, accumulating in int64 like torch's CPU kernel.
void integer_gemm(const Tensor& c, const Tensor& a, const Tensor& b, double alpha, double beta) {
  const int64_t m = c.sizes()[0], n = c.sizes()[1], k = a.sizes()[1];
  Tensor a64 = a.to(DType::Int64), b64 = b.to(DType::Int64), c64 = c.to(DType::Int64);
  const int64_t* pa = a64.data<int64_t>();
  const int64_t* pb = b64.data<int64_t>();
  int64_t* pc = c64.data<int64_t>();
  const auto ialpha = static_cast<int64_t>(alpha), ibeta = static_cast<int64_t>(beta);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int64_t acc = 0;
      for (int64_t x = 0; x < k; ++x) acc += pa[i * k + x] * pb[x * n + j];
      pc[i * n + j] = (ibeta == 0 ? 0 : ibeta * pc[i * n + j]) + ialpha * acc;
    }
  Tensor(c).copy_(c64);
}

void check_operands(const Tensor& out, const Tensor& a, const Tensor& b, int64_t batch_dims,
                    const char* op) {
  const int64_t nd = 2 + batch_dims;
  PT2RUN_CHECK(out.dim() == nd && a.dim() == nd && b.dim() == nd, ShapeMismatch, op, ": expected ",
               nd, "-d tensors, got out ", out.describe(), ", a ", a.describe(), ", b ",
               b.describe());
  PT2RUN_CHECK(a.dtype() == b.dtype() && a.dtype() == out.dtype(), DTypeMismatch, op,
               ": dtypes differ: out ", out.describe(), ", a ", a.describe(), ", b ", b.describe());
  PT2RUN_CHECK(a.device().is_cpu() && b.device().is_cpu() && out.device().is_cpu(), DeviceMismatch,
               op, ": the CPU backend got a tensor on another device");
  const int64_t base = batch_dims;
  PT2RUN_CHECK(a.sizes()[base + 1] == b.sizes()[base] && out.sizes()[base] == a.sizes()[base] &&
                   out.sizes()[base + 1] == b.sizes()[base + 1],
               ShapeMismatch, op, ": cannot multiply ", a.describe(), " by ", b.describe(),
               " into ", out.describe());
  if (batch_dims == 1) {
    PT2RUN_CHECK(a.sizes()[0] == b.sizes()[0] && a.sizes()[0] == out.sizes()[0], ShapeMismatch, op,
                 ": batch sizes differ: ", a.describe(), ", ", b.describe(), ", ",
                 out.describe());
  }
}

// out <- bias broadcast (so that BLAS can accumulate onto it with beta), unless they
// already are the same memory.
void load_bias(const Tensor& out, const Tensor* bias) {
  const Tensor expanded = detail::expand_to(*bias, out.sizes());
  const bool same = expanded.shares_storage_with(out) && expanded.data_ptr() == out.data_ptr() &&
                    std::equal(expanded.strides().begin(), expanded.strides().end(),
                               out.strides().begin());
  if (same) return;
  // A bias that overlaps out differently must be read before out is written.
  Tensor source = expanded.shares_storage_with(out) ? expanded.clone() : expanded;
  Tensor(out).copy_(source);
}

// bf16 operands on oneDNN's bf16 GEMM (AMX / AVX512-BF16 where present), accumulating in
// float32 and rounding once, as torch's CPU kernel does. False where this CPU has no kernel.
bool bf16_gemm(const Tensor& out, const Tensor& a, const Tensor& b, double alpha, double beta) {
  const int64_t m = out.sizes()[0], n = out.sizes()[1], k = a.sizes()[1];
  if (m == 0 || n == 0 || k == 0) return false;
  Tensor ta = a, tb = b;
  auto va = blas_view(ta);
  if (!va) va = blas_view(ta = ta.contiguous());
  auto vb = blas_view(tb);
  if (!vb) vb = blas_view(tb = tb.contiguous());
  Tensor c32 = beta == 0 ? Tensor::empty({m, n}, DType::Float32) : out.to(DType::Float32);
  if (!blas::gemm_bf16(va->transposed, vb->transposed, m, n, k, static_cast<float>(alpha),
                       static_cast<const uint16_t*>(ta.data_ptr()), std::max<int64_t>(va->ld, 1),
                       static_cast<const uint16_t*>(tb.data_ptr()), std::max<int64_t>(vb->ld, 1),
                       static_cast<float>(beta), c32.data<float>(), n))
    return false;
  Tensor(out).copy_(c32);
  return true;
}

void gemm_2d(const Tensor& out, const Tensor& a, const Tensor& b, double alpha, double beta) {
  switch (out.dtype()) {
    case DType::Float32:
      strided_gemm<float>(out, a, b, static_cast<float>(alpha), static_cast<float>(beta));
      return;
    case DType::Float64:
      strided_gemm<double>(out, a, b, alpha, beta);
      return;
    case DType::BFloat16:
      if (bf16_gemm(out, a, b, alpha, beta)) return;
      [[fallthrough]];
    case DType::Float16: {
      // Accumulate in float32 and round once, as torch's CPU kernels do.
      Tensor c32 = beta == 0 ? Tensor::empty({out.sizes()[0], out.sizes()[1]}, DType::Float32)
                             : out.to(DType::Float32);
      strided_gemm<float>(c32, a.to(DType::Float32), b.to(DType::Float32),
                          static_cast<float>(alpha), static_cast<float>(beta));
      Tensor(out).copy_(c32);
      return;
    }
    case DType::UInt8:
    case DType::Int8:
    case DType::Int16:
    case DType::Int32:
    case DType::Int64:
      integer_gemm(out, a, b, alpha, beta);
      return;
    default:
      detail::fail(ErrorCode::NotImplemented, "matrix multiply for dtype ",
                   dtype_name(out.dtype()), " is not supported by the CPU backend");
  }
}

Tensor slice_batch(const Tensor& t, int64_t i) {
  return t.as_strided({t.sizes()[1], t.sizes()[2]}, {t.strides()[1], t.strides()[2]},
                      t.storage_offset() + i * t.strides()[0]);
}

}  // namespace

void addmm(const Tensor& out, const Tensor* bias, const Tensor& a, const Tensor& b, double beta,
           double alpha) {
  check_operands(out, a, b, 0, "addmm");
  if (bias == nullptr || beta == 0) beta = 0;
  else load_bias(out, bias);
  gemm_2d(out, a, b, alpha, beta);
}

void baddbmm(const Tensor& out, const Tensor* bias, const Tensor& a, const Tensor& b, double beta,
             double alpha) {
  check_operands(out, a, b, 1, "baddbmm");
  if (bias == nullptr || beta == 0) beta = 0;
  else load_bias(out, bias);
  for (int64_t i = 0; i < out.sizes()[0]; ++i)
    gemm_2d(slice_batch(out, i), slice_batch(a, i), slice_batch(b, i), alpha, beta);
}

}  // namespace pt2run::cpu

namespace pt2run::cpu {

Tensor addmv(const Tensor& bias, const Tensor& mat, const Tensor& vec, double beta, double alpha) {
  PT2RUN_CHECK(mat.dim() == 2 && vec.dim() == 1 && mat.size(1) == vec.size(0), ShapeMismatch,
               "addmv: ", mat.describe(), " @ ", vec.describe(), " do not fit");
  const int64_t n = mat.size(0), m = vec.size(0);
  // The vector as an [m, 1] matrix and the bias broadcast as a column.
  Tensor column = vec.as_strided({m, 1}, {vec.dim() ? vec.stride(0) : 1, 1}, vec.storage_offset());
  PT2RUN_CHECK(bias.dim() <= 1 && (bias.numel() == 1 || bias.numel() == n), ShapeMismatch,
               "addmv: bias ", bias.describe(), " does not broadcast to [", n, "]");
  Tensor bias_column = bias.as_strided({n, 1}, {bias.numel() == 1 ? 0 : bias.stride(0), 1},
                                       bias.storage_offset());
  Tensor out = Tensor::empty({n, 1}, mat.dtype());
  addmm(out, &bias_column, mat, column, beta, alpha);
  return out.as_strided({n}, {1}, 0);
}

Tensor addbmm(const Tensor& bias, const Tensor& batch1, const Tensor& batch2, double beta,
              double alpha) {
  PT2RUN_CHECK(batch1.dim() == 3 && batch2.dim() == 3 && batch1.size(0) == batch2.size(0) &&
                   batch1.size(2) == batch2.size(1),
               ShapeMismatch, "addbmm: ", batch1.describe(), " and ", batch2.describe(), " do not fit");
  const int64_t batches = batch1.size(0), n = batch1.size(1), m = batch1.size(2), p = batch2.size(2);
  auto slice = [](const Tensor& t, int64_t b) {
    return t.as_strided({t.size(1), t.size(2)}, {t.stride(1), t.stride(2)}, t.storage_offset() + b * t.stride(0));
  };
  Tensor result = Tensor::empty({n, p}, batch1.dtype());
  if (batches == 0) {
    addmm(result, &bias, Tensor::zeros({n, m}, batch1.dtype()), Tensor::zeros({m, p}, batch1.dtype()),
          beta, alpha);
    return result;
  }
  addmm(result, &bias, slice(batch1, 0), slice(batch2, 0), beta, alpha);
  for (int64_t b = 1; b < batches; ++b) {
    Tensor next = Tensor::empty({n, p}, batch1.dtype());
    addmm(next, &result, slice(batch1, b), slice(batch2, b), 1.0, alpha);
    result = next;
  }
  return result;
}

Tensor addmm_activation(const Tensor& bias, const Tensor& a, const Tensor& b, double beta,
                        double alpha, bool use_gelu) {
  PT2RUN_CHECK(a.dim() == 2 && b.dim() == 2, ShapeMismatch, "_addmm_activation: ", a.describe(),
               " @ ", b.describe(), " are not matrices");
  Tensor out = Tensor::empty({a.size(0), b.size(1)}, a.dtype());
  addmm(out, &bias, a, b, beta, alpha);
  Tensor work = out.to(DType::Float64);
  double* v = work.data<double>();
  for (int64_t i = 0; i < work.numel(); ++i)
    v[i] = use_gelu ? 0.5 * v[i] * (1.0 + std::erf(v[i] / std::sqrt(2.0))) : std::max(v[i], 0.0);
  out.copy_(work);
  return out;
}

}  // namespace pt2run::cpu
