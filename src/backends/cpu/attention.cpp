#include "backends/cpu/attention.h"

#include <cblas.h>

#include <cmath>
#include <limits>

#include "core/check.h"
#include "core/layout.h"

namespace pt2run::cpu {
namespace {

template <class T>
void gemm_nt(int64_t m, int64_t n, int64_t k, T alpha, const T* a, const T* b, T* c) {
  // c[m, n] = alpha * a[m, k] @ b[n, k]^T
  if constexpr (std::is_same_v<T, float>)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, alpha, a, k, b, k, 0.f, c, n);
  else
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, alpha, a, k, b, k, 0.0, c, n);
}

template <class T>
void gemm_nn(int64_t m, int64_t n, int64_t k, const T* a, const T* b, T* c) {
  if constexpr (std::is_same_v<T, float>)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.f, a, k, b, n, 0.f, c, n);
  else
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0, a, k, b, n, 0.0, c, n);
}

template <class T>
void attend(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor* mask, bool is_causal,
            double scale, const Tensor& out, const Tensor& lse) {
  const int64_t B = q.sizes()[0], H = q.sizes()[1], L = q.sizes()[2], E = q.sizes()[3];
  const int64_t S = k.sizes()[2], Ev = v.sizes()[3];
  const T* pq = q.data<T>();
  const T* pk = k.data<T>();
  const T* pv = v.data<T>();
  T* po = out.data<T>();
  const T* pm = mask ? mask->data<T>() : nullptr;
  const int64_t ms0 = mask ? mask->strides()[0] : 0, ms1 = mask ? mask->strides()[1] : 0,
                ms2 = mask ? mask->strides()[2] : 0, ms3 = mask ? mask->strides()[3] : 0;
  std::vector<T> scores(static_cast<std::size_t>(L * S));
  constexpr T kNegInf = -std::numeric_limits<T>::infinity();
  for (int64_t b = 0; b < B; ++b) {
    for (int64_t h = 0; h < H; ++h) {
      const int64_t bh = b * H + h;
      gemm_nt<T>(L, S, E, static_cast<T>(scale), pq + bh * L * E, pk + bh * S * E, scores.data());
      for (int64_t i = 0; i < L; ++i) {
        T* row = scores.data() + i * S;
        T max = kNegInf;
        for (int64_t j = 0; j < S; ++j) {
          if (pm) row[j] += pm[b * ms0 + h * ms1 + i * ms2 + j * ms3];
          if (is_causal && j > i) row[j] = kNegInf;
          max = std::max(max, row[j]);
        }
        T sum = 0;
        if (max == kNegInf) {
          for (int64_t j = 0; j < S; ++j) row[j] = 0;
        } else {
          for (int64_t j = 0; j < S; ++j) sum += (row[j] = std::exp(row[j] - max));
          for (int64_t j = 0; j < S; ++j) row[j] /= sum;
        }
        const double lse_value = max == kNegInf ? -INFINITY : static_cast<double>(max) + std::log(sum);
        if (lse.dtype() == DType::Float64)
          lse.data<double>()[(b * L + i) * H + h] = lse_value;
        else
          lse.data<float>()[(b * L + i) * H + h] = static_cast<float>(lse_value);
      }
      gemm_nn<T>(L, Ev, S, scores.data(), pv + bh * S * Ev, po + bh * L * Ev);
    }
  }
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
  // attend() wants contiguous operands in the compute dtype; copy only what is not already.
  auto prepare = [&](const Tensor& t) { return t.dtype() == compute ? t.contiguous() : t.to(compute); };
  Tensor qc = prepare(q), kc = prepare(k), vc = prepare(v);
  Tensor out_compute = Tensor::empty({B, H, L, Ev}, compute);
  // logsumexp is [B, H, L] viewed over [B, L, H] storage, as torch's meta function lays it out.
  Tensor lse_storage = Tensor::empty({B, L, H}, compute);
  Tensor lse = lse_storage.as_strided({B, H, L}, {L * H, 1, H}, 0);
  if (compute == DType::Float64)
    attend<double>(qc, kc, vc, attn_mask ? &mask : nullptr, is_causal, s, out_compute, lse_storage);
  else
    attend<float>(qc, kc, vc, attn_mask ? &mask : nullptr, is_causal, s, out_compute, lse_storage);
  // Output strides follow query's (empty_like(query)).
  Tensor out = Ev == E ? detail::empty_like(q, dtype) : Tensor::empty({B, H, L, Ev}, dtype);
  out.copy_(out_compute);
  return {out, lse};
}

}  // namespace pt2run::cpu
