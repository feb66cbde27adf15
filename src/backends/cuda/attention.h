#pragma once

#include <optional>

#include "pt2run/tensor.h"

namespace pt2run::cuda {

// The three fused-attention ops AOTInductor calls on CUDA, all computed by our kernel
// (attention_kernel.h) with the outputs each op's torch meta function promises: AOTInductor
// plans memory and views from those shapes and strides. Inference only: a nonzero dropout is
// refused. q [B, H, L, E], k [B, H, S, E], v [B, H, S, Ev] on one GPU, E and Ev <= 256.
// Throws Error (ShapeMismatch, DTypeMismatch, DeviceMismatch, NotImplemented) on bad input.
struct AttentionOptions {
  const Tensor* bias = nullptr;  // broadcastable to [B, H, L, S]; additive, or bool (true attends)
  bool causal = false;           // key j > query i is masked (top-left aligned, as torch)
  std::optional<double> scale;   // default 1/sqrt(E)
  double dropout_p = 0.0;
  bool compute_log_sumexp = false;
};

struct AttentionOutput {
  Tensor output;
  Tensor logsumexp;
};

enum class AttentionFlavor {
  Efficient,  // _scaled_dot_product_efficient_attention: output [B, L, H, Ev] transposed to
              // [B, H, L, Ev]; logsumexp [B, H, ceil(L/32)*32] (or [B, H, 0])
  Flash,      // _scaled_dot_product_flash_attention: output like q; logsumexp [B, H, L]
  Cudnn,      // _scaled_dot_product_cudnn_attention: output in q's dim order; logsumexp [B, H, L, 1]
};

AttentionOutput scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v,
                                             const AttentionOptions& options, AttentionFlavor flavor);

}  // namespace pt2run::cuda
