#pragma once

// The quantized linear layers torch lowers through FBGEMM: fp16 weights with float32
// activations, and int8 weights with uint8-quantized activations. Each comes in two calls, a
// pack and a use, and the packed weight travels only between pt2run's two calls (Inductor
// packs at run time, in the model's constant folding), so its layout is pt2run's own: a
// packed tensor from anywhere else (torch's FBGEMM blob) is refused by name, never misread.

#include <cstdint>

#include "pt2run/tensor.h"

namespace pt2run::cpu {

// torch.ops.quantized.linear_dynamic_fp16 without prepacked weights: the weight [N, K]
// rounded to float16 (the packed form: a float16 [N, K] tensor).
Tensor pack_gemm_matrix_fp16(const Tensor& weight);

// input [..., K] @ packed^T + bias, in float32 with the float16 weights widened, as FBGEMM
// computes it. out_channels must be N; bias (nullable) is [N] float32.
Tensor linear_fp16_weight(const Tensor& input, const Tensor& packed, const Tensor* bias, int64_t out_channels);

// The int8 weight quantized per tensor (qint8: nearbyint(w / scale) + zero_point, clamped to
// -128..127): an int8 [N, K] tensor, as torch's op declares its result, whose storage also
// holds the scale, zero point and float bias past the weight (pt2run's layout).
Tensor linear_prepack_int8(const Tensor& weight, const Tensor& scale, const Tensor& zero_point, const Tensor* bias);

// torch's _wrapped_quantized_linear_prepacked: the input quantized to quint8, the integer GEMM,
// the float bias, the result requantized to quint8 with out_scale / out_zero_point (rounded
// half to even) and dequantized back to float32, as FBGEMM's per-tensor path computes it.
Tensor quantized_linear_prepacked(const Tensor& input, const Tensor& input_scale, const Tensor& input_zero_point,
                                  const Tensor& packed, const Tensor& out_scale, const Tensor& out_zero_point,
                                  int64_t out_channels);

}  // namespace pt2run::cpu
