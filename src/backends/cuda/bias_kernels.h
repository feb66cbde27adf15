#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "pt2run/dtype.h"

namespace pt2run::cuda {

// out[n, c, ...] += bias[c] for a dense output of `numel` elements whose channel index is
// (i / inner) % channels (inner = 1 for channels-last, the spatial size otherwise). Adds in
// float32 and rounds once, for float32, float16 and bfloat16. Enqueued on `stream`.
void launch_add_channel_bias(void* out, const void* bias, DType dtype, int64_t numel, int64_t channels,
                             int64_t inner, cudaStream_t stream);

}  // namespace pt2run::cuda
