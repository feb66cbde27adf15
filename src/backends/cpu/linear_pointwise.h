#pragma once

#include "backends/cpu/epilogue.h"
#include "pt2run/tensor.h"

namespace pt2run::cpu {

// torch's mkldnn._linear_pointwise and _linear_pointwise_binary: input [..., K] times weight
// [N, K] transposed, plus the optional bias [N], then `epilogue` fused into oneDNN's inner
// product. The weight may be prepacked (onednn_packed.h), read in place when this CPU's kernel
// wants its layout and otherwise re-laid out once per layout while it stays a model constant.
// float32, bfloat16 and float16 (where this CPU's oneDNN has the kernel). Returns a contiguous
// [..., N] tensor of the input's dtype. Throws Error on shape, dtype or device mismatches.
Tensor linear_pointwise(const Tensor& input, const Tensor& weight, const Tensor* bias, const Epilogue& epilogue);

}  // namespace pt2run::cpu
