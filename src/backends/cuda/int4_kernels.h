#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace pt2run::cuda {

// The bfloat16 weight w[n][k] (row-major) behind a weight packed by torch's CUDA
// _convert_weight_to_int4pack (tinygemm's tensor-core layout: int32 [n/8][k/(inner_k_tiles*16)]
// [32][inner_k_tiles/2], eight 4-bit values per word) with its scales and zeros (bfloat16
// [k/group][n][2]): w = (q - 8) * scale + zero, one bfloat16 fma, as tinygemm dequantizes.
// Enqueued on `stream`; needs sm_80 or newer.
void launch_dequantize_int4_tc(const int32_t* packed, const void* scales_and_zeros, void* w, int64_t n,
                               int64_t k, int inner_k_tiles, int group, cudaStream_t stream);

}  // namespace pt2run::cuda
