#include "backends/cuda/attention.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "backends/cuda/attention_kernel.h"
#include "backends/cuda/blas.h"
#include "backends/cuda/streams.h"
#include "core/check.h"
#include "core/layout.h"

namespace pt2run::cuda {
namespace {

void copy_strides(const Tensor& t, int64_t (&out)[4]) {
  for (int d = 0; d < 4; ++d) out[d] = t.strides()[static_cast<std::size_t>(d)];
}

// torch's alloc_with_matching_layout: `sizes` laid out in q's dim order (outermost = largest
// stride first).
Tensor matching_layout(const Tensor& q, const std::vector<int64_t>& sizes) {
  if (std::equal(sizes.begin(), sizes.end(), q.sizes().begin(), q.sizes().end()))
    return detail::empty_like(q, q.dtype());
  std::vector<int> order{0, 1, 2, 3};
  std::stable_sort(order.begin(), order.end(), [&](int x, int y) {
    return q.strides()[static_cast<std::size_t>(x)] > q.strides()[static_cast<std::size_t>(y)];
  });
  std::vector<int64_t> strides(4);
  int64_t stride = 1;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    strides[static_cast<std::size_t>(*it)] = stride;
    stride *= sizes[static_cast<std::size_t>(*it)];
  }
  return Tensor::empty_strided(sizes, strides, q.dtype(), q.device());
}

void validate(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionOptions& o) {
  PT2RUN_CHECK(q.dim() == 4 && k.dim() == 4 && v.dim() == 4, ShapeMismatch,
               "fused attention on CUDA takes 4-d query, key and value [B, H, L, E], got ", q.describe(), ", ",
               k.describe(), ", ", v.describe());
  PT2RUN_CHECK(k.size(0) == q.size(0) && v.size(0) == q.size(0) && k.size(1) == q.size(1) &&
                   v.size(1) == q.size(1) && v.size(2) == k.size(2) && k.size(3) == q.size(3),
               ShapeMismatch, "attention: query ", q.describe(), ", key ", k.describe(), " and value ", v.describe(),
               " do not fit together (batch, heads and key length must agree)");
  PT2RUN_CHECK(q.dtype() == k.dtype() && q.dtype() == v.dtype(), DTypeMismatch,
               "attention: query, key and value dtypes differ (", q.describe(), ", ", k.describe(), ", ",
               v.describe(), ")");
  PT2RUN_CHECK(q.device().type == DeviceType::CUDA && k.device() == q.device() && v.device() == q.device(),
               DeviceMismatch, "attention: query, key and value must be on one GPU, got ", q.describe(), ", ",
               k.describe(), ", ", v.describe());
  PT2RUN_CHECK(q.size(3) <= kMaxAttentionHeadDim && v.size(3) <= kMaxAttentionHeadDim, NotImplemented,
               "attention on CUDA with head dims ", q.size(3), " and ", v.size(3), " (at most ",
               kMaxAttentionHeadDim, ")");
  PT2RUN_CHECK(q.size(0) <= 65535 && q.size(1) <= 65535, NotImplemented,
               "attention on CUDA with more than 65535 batches or heads: ", q.describe());
  PT2RUN_CHECK(o.dropout_p == 0.0, NotImplemented, "attention with dropout_p=", o.dropout_p,
               ": pt2run runs inference only (export the model in eval mode)");
  if (o.bias) {
    const Tensor& b = *o.bias;
    PT2RUN_CHECK(b.device() == q.device(), DeviceMismatch, "attention: the mask ", b.describe(),
                 " is not on the query's device ", q.device().str());
    PT2RUN_CHECK(b.dtype() == DType::Bool || b.dtype() == q.dtype(), DTypeMismatch, "attention: the mask ",
                 b.describe(), " must be bool or ", dtype_name(q.dtype()));
    PT2RUN_CHECK(b.dim() <= 4, ShapeMismatch, "attention: the mask ", b.describe(), " has more than 4 dims");
    const int64_t full[4] = {q.size(0), q.size(1), q.size(2), k.size(2)};
    for (int64_t d = 0; d < b.dim(); ++d) {
      const int64_t want = full[4 - b.dim() + d];
      PT2RUN_CHECK(b.size(d) == want || b.size(d) == 1, ShapeMismatch, "attention: the mask ", b.describe(),
                   " does not broadcast to [", full[0], ", ", full[1], ", ", full[2], ", ", full[3], "]");
    }
  }
}

// Beyond this many queries and keys, attention runs as two batched GEMMs (tensor cores for
// half precision) around a softmax kernel, one batch element at a time, instead of the fused
// kernel: the scores take H * L * S floats of memory, which the cap bounds.
constexpr int64_t kGemmMinLength = 128;
constexpr int64_t kGemmMaxScoreBytes = int64_t{1} << 30;

bool use_gemms(int64_t heads, int64_t q_len, int64_t kv_len) {
  return q_len >= kGemmMinLength && kv_len >= kGemmMinLength && heads * q_len * kv_len * 4 <= kGemmMaxScoreBytes;
}

Tensor batch_view(const Tensor& t, int64_t b, std::vector<int64_t> sizes, std::vector<int64_t> dims) {
  std::vector<int64_t> strides;
  for (int64_t d : dims) strides.push_back(t.stride(d));
  return t.as_strided(sizes, strides, t.storage_offset() + b * t.stride(0));
}

void attention_by_gemms(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& out, const AttentionArgs& a,
                        cudaStream_t stream) {
  const int64_t H = a.heads, L = a.q_len, S = a.kv_len, E = a.head_dim, Ev = a.value_dim;
  for (int64_t b = 0; b < a.batch; ++b) {
    Tensor scores = Tensor::empty({H, L, S}, DType::Float32, q.device());
    gemm(scores, nullptr, batch_view(q, b, {H, L, E}, {1, 2, 3}), batch_view(k, b, {H, E, S}, {1, 3, 2}), 0.0, 1.0);
    Tensor probs = a.dtype == DType::Float32 ? scores : Tensor::empty({H, L, S}, a.dtype, q.device());
    SoftmaxArgs sa;
    sa.scores = static_cast<float*>(scores.data_ptr());
    sa.probs = probs.data_ptr();
    sa.dtype = a.dtype;
    sa.bias = a.bias;
    sa.bias_is_bool = a.bias_is_bool;
    std::copy(std::begin(a.bias_strides), std::end(a.bias_strides), sa.bias_strides);
    sa.batch_index = b;
    if (a.lse) {
      sa.lse = a.lse + b * a.lse_strides[0];
      std::copy(std::begin(a.lse_strides), std::end(a.lse_strides), sa.lse_strides);
    }
    sa.heads = H;
    sa.q_len = L;
    sa.kv_len = S;
    sa.scale = a.scale;
    sa.causal = a.causal;
    launch_attention_softmax(sa, stream);
    gemm(batch_view(out, b, {H, L, Ev}, {1, 2, 3}), nullptr, probs, batch_view(v, b, {H, S, Ev}, {1, 2, 3}), 0.0,
         1.0);
  }
}

}  // namespace

AttentionOutput scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v,
                                             const AttentionOptions& options, AttentionFlavor flavor) {
  validate(q, k, v, options);
  const int64_t B = q.size(0), H = q.size(1), L = q.size(2), S = k.size(2), E = q.size(3), Ev = v.size(3);
  AttentionOutput result;
  int64_t lse_strides[3] = {};
  switch (flavor) {
    case AttentionFlavor::Efficient: {
      Tensor blhe = Tensor::empty({B, L, H, Ev}, q.dtype(), q.device());
      result.output = blhe.as_strided({B, H, L, Ev}, {L * H * Ev, Ev, H * Ev, 1}, 0);
      const int64_t padded = options.compute_log_sumexp ? (L + 31) / 32 * 32 : 0;
      result.logsumexp = Tensor::empty({B, H, padded}, DType::Float32, q.device());
      lse_strides[0] = H * padded;
      lse_strides[1] = padded;
      lse_strides[2] = 1;
      break;
    }
    case AttentionFlavor::Flash:
      PT2RUN_CHECK(Ev == E, ShapeMismatch, "flash attention needs value's head dim (", Ev, ") equal to query's (",
                   E, ")");
      result.output = detail::empty_like(q, q.dtype());
      result.logsumexp = Tensor::empty({B, H, L}, DType::Float32, q.device());
      lse_strides[0] = H * L;
      lse_strides[1] = L;
      lse_strides[2] = 1;
      break;
    case AttentionFlavor::Cudnn:
      result.output = matching_layout(q, {B, H, L, Ev});
      result.logsumexp = Tensor::empty({B, H, L, 1}, DType::Float32, q.device());
      lse_strides[0] = H * L;
      lse_strides[1] = L;
      lse_strides[2] = 1;
      break;
  }
  AttentionArgs a;
  a.q = q.data_ptr();
  a.k = k.data_ptr();
  a.v = v.data_ptr();
  a.o = result.output.data_ptr();
  a.dtype = q.dtype();
  a.batch = B;
  a.heads = H;
  a.q_len = L;
  a.kv_len = S;
  a.head_dim = E;
  a.value_dim = Ev;
  copy_strides(q, a.q_strides);
  copy_strides(k, a.k_strides);
  copy_strides(v, a.v_strides);
  copy_strides(result.output, a.o_strides);
  if (options.bias) {
    const Tensor& b = *options.bias;
    a.bias = b.data_ptr();
    a.bias_is_bool = b.dtype() == DType::Bool;
    for (int64_t d = 0; d < b.dim(); ++d)
      a.bias_strides[4 - b.dim() + d] = b.size(d) == 1 ? 0 : b.stride(d);
  }
  const bool want_lse = flavor != AttentionFlavor::Efficient || options.compute_log_sumexp;
  if (want_lse && result.logsumexp.numel() > 0) {
    a.lse = static_cast<float*>(result.logsumexp.data_ptr());
    std::copy(std::begin(lse_strides), std::end(lse_strides), a.lse_strides);
  }
  a.scale = static_cast<float>(options.scale ? *options.scale : 1.0 / std::sqrt(static_cast<double>(E)));
  a.causal = options.causal;
  const int32_t device = q.device().index;
  DeviceGuard guard(device);
  if (use_gemms(H, L, S)) {
    attention_by_gemms(q, k, v, result.output, a, current_stream(device));
  } else {
    launch_attention(a, current_stream(device));
  }
  return result;
}

}  // namespace pt2run::cuda
