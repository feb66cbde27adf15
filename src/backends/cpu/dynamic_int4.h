#pragma once

// torch's dynamically quantized int4 linear (_dyn_quant_pack_4bit_weight /
// _dyn_quant_matmul_4bit) in the layout x86 builds of torch use: the packed weights are one
// float32 tensor holding the N * K / 2 weight bytes (two 4-bit values per byte, low nibble
// first, offset by 8) followed by the scales, N per row (channelwise, block_size == K) or
// N * K / block_size (groupwise). Arm builds pack for KleidiAI instead; that blob is refused.

#include "pt2run/tensor.h"

namespace pt2run::cpu {

// weights uint8 [N, K / 2] (or any shape of N * K / 2 bytes), scales float [N * K / block_size]
// -> the packed float32 tensor. A bias is refused, as torch's x86 kernel refuses it.
Tensor dyn_quant_pack_4bit_weight(const Tensor& weights, const Tensor& scales, int64_t block_size,
                                  int64_t in_features, int64_t out_features);

// input float32 [M, K] @ the packed weights -> float32 [M, N]. Each input row is quantized
// to asymmetric int8 as torch's reference kernel does, multiplied in integers and scaled back
// in float32, in torch's order of operations, so results match torch's bit for bit.
Tensor dyn_quant_matmul_4bit(const Tensor& input, const Tensor& packed, int64_t block_size, int64_t in_features,
                             int64_t out_features);

}  // namespace pt2run::cpu
