#include "backends/cuda/copy_kernels.h"

#include "backends/cuda/cuda_check.h"

namespace pt2run::cuda {
namespace {

struct alignas(16) Bytes16 {
  uint64_t lo, hi;
};

template <class T>
__global__ void strided_copy(T* dst, const T* src, StridedCopy shape) {
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < shape.numel; i += stride) {
    int64_t rest = i, dst_offset = 0, src_offset = 0;
    for (int d = shape.dims - 1; d >= 0; --d) {
      const int64_t index = rest % shape.sizes[d];
      rest /= shape.sizes[d];
      dst_offset += index * shape.dst_strides[d];
      src_offset += index * shape.src_strides[d];
    }
    dst[dst_offset] = src[src_offset];
  }
}

template <class T>
void launch(void* dst, const void* src, const StridedCopy& shape, cudaStream_t stream) {
  constexpr int kThreads = 256;
  const int64_t blocks = (shape.numel + kThreads - 1) / kThreads;
  const unsigned grid = static_cast<unsigned>(blocks < 65535 ? blocks : 65535);
  (void)cudaGetLastError();  // a stale error of another library's call is not this launch's
  strided_copy<T><<<grid, kThreads, 0, stream>>>(static_cast<T*>(dst), static_cast<const T*>(src), shape);
  PT2RUN_CUDA_CHECK(cudaGetLastError());
}

}  // namespace

void launch_strided_copy(void* dst, const void* src, std::size_t element_size,
                         const StridedCopy& shape, cudaStream_t stream) {
  if (shape.numel == 0) return;
  switch (element_size) {
    case 1: launch<uint8_t>(dst, src, shape, stream); break;
    case 2: launch<uint16_t>(dst, src, shape, stream); break;
    case 4: launch<uint32_t>(dst, src, shape, stream); break;
    case 8: launch<uint64_t>(dst, src, shape, stream); break;
    case 16: launch<Bytes16>(dst, src, shape, stream); break;
    default:
      ::pt2run::detail::fail(::pt2run::ErrorCode::NotImplemented, "strided copy of ", element_size,
                             "-byte elements on CUDA");
  }
}

}  // namespace pt2run::cuda
