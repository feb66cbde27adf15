#include "backends/cpu/attention.h"

#include "backends/cpu/blas.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <vector>

#include "core/check.h"
#include "core/layout.h"

namespace pt2run::cpu {
namespace {

// A [rows, cols] matrix per (batch, head) of a 4-d tensor whose last dimension is dense: the
// layout of q/k/v/out however the model permuted heads (BLAS takes the row stride).
template <class T>
struct HeadMatrices {
  T* data;
  int64_t batch_stride, head_stride, row_stride;
  T* at(int64_t b, int64_t h) const { return data + b * batch_stride + h * head_stride; }
};

template <class T>
HeadMatrices<T> head_matrices(const Tensor& t) {
  return {const_cast<T*>(t.data<T>()), t.strides()[0], t.strides()[1], t.strides()[2]};
}

// BLAS needs unit column stride and a row stride of at least the row length (or any, for
// one row).
bool blas_usable(const Tensor& t) {
  return t.strides()[3] == 1 && (t.sizes()[2] <= 1 || t.strides()[2] >= std::max<int64_t>(t.sizes()[3], 1));
}

template <class T>
void gemm_nt(int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda, const T* b, int64_t ldb,
             T* c) {
  // c[m, n] = alpha * a[m, k] @ b[n, k]^T
  blas::gemm(false, true, m, n, k, alpha, a, lda, b, ldb, T(0), c, n);
}

template <class T>
void gemm_nn(int64_t m, int64_t n, int64_t k, const T* a, const T* b, int64_t ldb, T* c, int64_t ldc) {
  blas::gemm(false, false, m, n, k, T(1), a, k, b, ldb, T(0), c, ldc);
}

// row[j] = exp(row[j] - max) for the row's n entries, returns their sum.
template <class T>
T exp_shifted_sum(T* row, int64_t n, T max) {
  T sum = 0;
  for (int64_t j = 0; j < n; ++j) sum += (row[j] = std::exp(row[j] - max));
  return sum;
}

// Rows of one (batch, head) pair a task takes: enough to keep its two GEMMs efficient, few
// enough that a single sequence's heads still spread over many cores.
constexpr int64_t kRowsPerTask = 32;

template <class T>
void attend(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor* mask, bool is_causal,
            double scale, const Tensor& out, const Tensor& lse) {
  const int64_t B = q.sizes()[0], H = q.sizes()[1], L = q.sizes()[2], E = q.sizes()[3];
  const int64_t S = k.sizes()[2], Ev = v.sizes()[3];
  const auto mq = head_matrices<T>(q), mk = head_matrices<T>(k), mv = head_matrices<T>(v),
             mo = head_matrices<T>(out);
  const T* pm = mask ? mask->data<T>() : nullptr;
  const int64_t ms0 = mask ? mask->strides()[0] : 0, ms1 = mask ? mask->strides()[1] : 0,
                ms2 = mask ? mask->strides()[2] : 0, ms3 = mask ? mask->strides()[3] : 0;
  constexpr T kNegInf = -std::numeric_limits<T>::infinity();
  double* lse64 = lse.dtype() == DType::Float64 ? lse.data<double>() : nullptr;
  float* lse32 = lse64 ? nullptr : lse.data<float>();
  // Tasks are (batch, head, block of query rows), spread over the run's OpenMP threads; each
  // task's GEMMs run on its own thread (oneDNN runs sequentially inside a parallel region).
  // One (batch, head) at a time with multithreaded GEMMs was slower at 16 threads than at one:
  // the GEMMs are too small to split.
  const int64_t blocks = (L + kRowsPerTask - 1) / kRowsPerTask;
  const int64_t tasks = B * H * blocks;
  std::exception_ptr failure;
#pragma omp parallel
  {
    std::vector<T> scores;
#pragma omp for schedule(dynamic)
    for (int64_t task = 0; task < tasks; ++task) {
      try {
        const int64_t b = task / (H * blocks), h = task / blocks % H, i0 = task % blocks * kRowsPerTask;
        const int64_t rows = std::min(kRowsPerTask, L - i0);
        // Causal rows see keys 0..i only: the keys no row of the block sees are left out.
        const int64_t cols = is_causal ? std::min(S, i0 + rows) : S;
        scores.resize(static_cast<std::size_t>(rows * cols));
        if (cols > 0)
          gemm_nt<T>(rows, cols, E, static_cast<T>(scale), mq.at(b, h) + i0 * mq.row_stride, mq.row_stride,
                     mk.at(b, h), mk.row_stride, scores.data());
        for (int64_t r = 0; r < rows; ++r) {
          const int64_t i = i0 + r;
          T* row = scores.data() + r * cols;
          if (pm) {
            const T* mrow = pm + b * ms0 + h * ms1 + i * ms2;
            for (int64_t j = 0; j < cols; ++j) row[j] += mrow[j * ms3];
          }
          const int64_t visible = is_causal ? std::min<int64_t>(i + 1, S) : S;
          T max = kNegInf;
          for (int64_t j = 0; j < visible; ++j) max = std::max(max, row[j]);
          T sum = 0;
          if (max == kNegInf) {
            std::fill(row, row + cols, T(0));
          } else {
            sum = exp_shifted_sum(row, visible, max);
            const T inv = T(1) / sum;
            for (int64_t j = 0; j < visible; ++j) row[j] *= inv;
            std::fill(row + visible, row + cols, T(0));
          }
          const double lse_value = max == kNegInf ? -INFINITY : static_cast<double>(max) + std::log(sum);
          const int64_t at = (b * L + i) * H + h;
          if (lse64) lse64[at] = lse_value;
          else lse32[at] = static_cast<float>(lse_value);
        }
        T* o = mo.at(b, h) + i0 * mo.row_stride;
        if (cols > 0) {
          // gemm_nn's A has leading dimension k = cols: the block's scores.
          gemm_nn<T>(rows, Ev, cols, scores.data(), mv.at(b, h), mv.row_stride, o, mo.row_stride);
        } else {
          for (int64_t r = 0; r < rows; ++r) std::fill(o + r * mo.row_stride, o + r * mo.row_stride + Ev, T(0));
        }
      } catch (...) {
#pragma omp critical(pt2run_attention_failure)
        if (!failure) failure = std::current_exception();
      }
    }
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

AttentionResult scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v,
                                             const Tensor* attn_mask, bool is_causal,
                                             std::optional<double> scale, double dropout_p) {
  PT2RUN_CHECK(dropout_p == 0.0, NotImplemented, "scaled_dot_product_attention with dropout_p=",
               dropout_p, " is not supported for inference");
  PT2RUN_CHECK(q.dim() == 4 && k.dim() == 4 && v.dim() == 4, ShapeMismatch,
               "scaled_dot_product_attention expects 4-d query, key and value, got ",
               q.describe(), ", ", k.describe(), ", ", v.describe());
  const int64_t B = q.sizes()[0], H = q.sizes()[1], L = q.sizes()[2], E = q.sizes()[3];
  const int64_t S = k.sizes()[2], Ev = v.sizes()[3];
  PT2RUN_CHECK(k.sizes()[0] == B && v.sizes()[0] == B && k.sizes()[1] == H && v.sizes()[1] == H &&
                   k.sizes()[3] == E && v.sizes()[2] == S,
               ShapeMismatch, "scaled_dot_product_attention: query ", q.describe(), ", key ",
               k.describe(), " and value ", v.describe(), " do not fit together");
  PT2RUN_CHECK(q.dtype() == k.dtype() && q.dtype() == v.dtype(), DTypeMismatch,
               "scaled_dot_product_attention: query, key and value dtypes differ");
  const DType dtype = q.dtype();
  PT2RUN_CHECK(dtype == DType::Float32 || dtype == DType::Float64 || dtype == DType::Float16 ||
                   dtype == DType::BFloat16,
               NotImplemented, "scaled_dot_product_attention in ", dtype_name(dtype),
               " is not supported");
  const DType compute = dtype == DType::Float64 ? DType::Float64 : DType::Float32;
  const double s = scale.value_or(1.0 / std::sqrt(static_cast<double>(E)));

  Tensor mask;
  if (attn_mask) {
    Tensor m = detail::expand_to(*attn_mask, std::vector<int64_t>{B, H, L, S});
    if (m.dtype() == DType::Bool) {
      // Boolean masks select (true = attend): turn them into an additive 0 / -inf mask.
      Tensor additive = Tensor::empty({B, H, L, S}, compute);
      Tensor keep = m.to(DType::UInt8);
      const uint8_t* pk = keep.data<uint8_t>();
      for (int64_t i = 0; i < additive.numel(); ++i) {
        double value = pk[i] ? 0.0 : -INFINITY;
        if (compute == DType::Float64) additive.data<double>()[i] = value;
        else additive.data<float>()[i] = static_cast<float>(value);
      }
      mask = additive;
    } else {
      mask = m.dtype() == compute ? m.contiguous() : m.to(compute);
    }
  }
  // attend() takes operands in the compute dtype with dense rows, in whatever order the model
  // laid out heads and batches; copy only what is not already so.
  auto prepare = [&](const Tensor& t) {
    if (t.dtype() != compute) return t.to(compute);
    return blas_usable(t) ? t : t.contiguous();
  };
  Tensor qc = prepare(q), kc = prepare(k), vc = prepare(v);
  // Output strides follow query's (empty_like(query)); computed in place when they can be.
  Tensor out = Ev == E ? detail::empty_like(q, dtype) : Tensor::empty({B, H, L, Ev}, dtype);
  const bool in_place = out.dtype() == compute && blas_usable(out);
  Tensor out_compute = in_place ? out : Tensor::empty({B, H, L, Ev}, compute);
  // logsumexp is [B, H, L] viewed over [B, L, H] storage, as torch's meta function lays it out.
  Tensor lse_storage = Tensor::empty({B, L, H}, compute);
  Tensor lse = lse_storage.as_strided({B, H, L}, {L * H, 1, H}, 0);
  if (compute == DType::Float64)
    attend<double>(qc, kc, vc, attn_mask ? &mask : nullptr, is_causal, s, out_compute, lse_storage);
  else
    attend<float>(qc, kc, vc, attn_mask ? &mask : nullptr, is_causal, s, out_compute, lse_storage);
  if (!in_place) out.copy_(out_compute);
  return {out, lse};
}

}  // namespace pt2run::cpu
