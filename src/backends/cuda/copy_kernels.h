#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace pt2run::cuda {

constexpr int kMaxCopyDims = 12;

// The shape of one strided copy: element offsets of dst and src walk the same sizes.
struct StridedCopy {
  int dims = 0;
  int64_t numel = 0;
  int64_t sizes[kMaxCopyDims] = {};
  int64_t dst_strides[kMaxCopyDims] = {};
  int64_t src_strides[kMaxCopyDims] = {};
};

// dst[offset(i)] = src[offset(i)] for every index, element_size 1, 2, 4, 8 or 16 bytes, both
// pointers on the current device, enqueued on `stream`.
void launch_strided_copy(void* dst, const void* src, std::size_t element_size,
                         const StridedCopy& shape, cudaStream_t stream);

}  // namespace pt2run::cuda
