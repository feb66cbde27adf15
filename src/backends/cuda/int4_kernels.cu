#include "backends/cuda/int4_kernels.h"

#include <cuda_bf16.h>

#include "backends/cuda/cuda_check.h"

namespace pt2run::cuda {
namespace {

// One thread per packed word. Lane t of a tile holds row n = tile * 8 + t / 4; its word for a
// pair of k-tiles starting at kb holds, low nibble first, the high nibbles (even k) of the bytes
// at k offsets c, 8 + c, 16 + c, 24 + c (c = 2 * (t % 4)), then their low nibbles (odd k).
__global__ void dequantize_int4_tc(const int32_t* packed, const __nv_bfloat16* qsz, __nv_bfloat16* w, int64_t n,
                                   int64_t k, int inner_k_tiles, int group, int64_t words) {
  const int pairs = inner_k_tiles / 2;
  const int64_t k_super = k / (inner_k_tiles * 16);
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < words;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int p = static_cast<int>(i % pairs);
    const int t = static_cast<int>((i / pairs) % 32);
    const int64_t k_outer = (i / (pairs * 32)) % k_super;
    const int64_t tile = i / (pairs * 32 * k_super);
    const int64_t row = tile * 8 + t / 4;
    if (row >= n) continue;
    const auto word = static_cast<uint32_t>(packed[i]);
    const int64_t kb = (k_outer * inner_k_tiles + 2 * p) * 16;
    const int c = 2 * (t % 4);
    for (int j = 0; j < 8; ++j) {
      const int64_t col = kb + (j % 4) * 8 + c + j / 4;
      if (col >= k) continue;
      const int q = static_cast<int>((word >> (4 * j)) & 0xFu) - 8;
      const int64_t g = col / group;
      const __nv_bfloat16 scale = qsz[(g * n + row) * 2], zero = qsz[(g * n + row) * 2 + 1];
      w[row * k + col] = __hfma(__int2bfloat16_rn(q), scale, zero);
    }
  }
}

}  // namespace

void launch_dequantize_int4_tc(const int32_t* packed, const void* scales_and_zeros, void* w, int64_t n,
                               int64_t k, int inner_k_tiles, int group, cudaStream_t stream) {
  const int64_t words = (n / 8) * (k / (inner_k_tiles * 16)) * 32 * (inner_k_tiles / 2);
  if (words <= 0) return;
  constexpr int kThreads = 256;
  const int64_t blocks = (words + kThreads - 1) / kThreads;
  (void)cudaGetLastError();  // a stale error of another library's call is not this launch's
  dequantize_int4_tc<<<static_cast<unsigned>(blocks < 65535 ? blocks : 65535), kThreads, 0, stream>>>(
      packed, static_cast<const __nv_bfloat16*>(scales_and_zeros), static_cast<__nv_bfloat16*>(w), n, k,
      inner_k_tiles, group, words);
  PT2RUN_CUDA_CHECK(cudaGetLastError());
}

}  // namespace pt2run::cuda
