#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "pt2run/dtype.h"

namespace pt2run::cuda {

constexpr int64_t kMaxAttentionHeadDim = 256;

// One fused attention: o = softmax(q k^T * scale + bias, causal mask) v for q [B, H, L, E],
// k [B, H, S, E], v [B, H, S, Ev], o [B, H, L, Ev], every operand addressed through its own
// element strides (0 broadcasts). q, k, v and o share `dtype` (float32, float16, bfloat16);
// the bias is additive in that dtype or boolean (true attends); softmax and accumulation run
// in float32. lse (optional, float32) receives log(sum(exp(scores))) per row. Rows whose
// every key is masked get zeros. E, Ev <= kMaxAttentionHeadDim. Enqueued on `stream`.
struct AttentionArgs {
  const void* q = nullptr;
  const void* k = nullptr;
  const void* v = nullptr;
  void* o = nullptr;
  const void* bias = nullptr;
  bool bias_is_bool = false;
  float* lse = nullptr;
  DType dtype = DType::Float32;
  int64_t batch = 0, heads = 0, q_len = 0, kv_len = 0, head_dim = 0, value_dim = 0;
  int64_t q_strides[4] = {}, k_strides[4] = {}, v_strides[4] = {}, o_strides[4] = {}, bias_strides[4] = {};
  int64_t lse_strides[3] = {};
  float scale = 1.0f;
  bool causal = false;
};

void launch_attention(const AttentionArgs& args, cudaStream_t stream);

// The middle step of attention computed with GEMMs, for one batch element b: scores [H, L, S]
// (dense float32, q k^T unscaled) become probabilities softmax(scores * scale + bias, causal)
// written densely to `probs` in `dtype` (float32 may alias scores), and lse [H, L] rows (at
// lse_strides[1..2], batch offset already applied) when lse is set. The bias is additive in
// `dtype` or boolean, addressed with bias_strides at batch b. Fully masked rows give zeros.
struct SoftmaxArgs {
  float* scores = nullptr;
  void* probs = nullptr;
  DType dtype = DType::Float32;
  const void* bias = nullptr;
  bool bias_is_bool = false;
  int64_t bias_strides[4] = {};
  int64_t batch_index = 0;
  float* lse = nullptr;
  int64_t lse_strides[3] = {};
  int64_t heads = 0, q_len = 0, kv_len = 0;
  float scale = 1.0f;
  bool causal = false;
};

void launch_attention_softmax(const SoftmaxArgs& args, cudaStream_t stream);

}  // namespace pt2run::cuda
