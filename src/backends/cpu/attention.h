#pragma once

#include <optional>

#include "pt2run/tensor.h"

namespace pt2run::cpu {

struct AttentionResult {
  Tensor output;     // [B, H, L, Ev], laid out like query (torch's empty_like(query))
  Tensor logsumexp;  // [B, H, L] in float32 (float64 for float64 inputs), stored as [B, L, H]
};

// torch's _scaled_dot_product_flash_attention_for_cpu in inference (dropout 0):
// softmax(q k^T * scale + mask) v per batch and head. q [B, H, L, E], k [B, H, S, E],
// v [B, H, S, Ev]; attn_mask broadcastable to [B, H, L, S], boolean (true = attend) or
// additive; is_causal masks key j > query i. scale defaults to 1/sqrt(E). Computes in
// float32 (float64 for float64) with GEMMs on OpenBLAS. Rows whose every key is masked give
// zeros, as torch's CPU kernel does. Throws Error on bad shapes or a nonzero dropout.
AttentionResult scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v,
                                             const Tensor* attn_mask, bool is_causal,
                                             std::optional<double> scale, double dropout_p);

}  // namespace pt2run::cpu
