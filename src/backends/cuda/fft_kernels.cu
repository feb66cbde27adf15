#include "backends/cuda/fft_kernels.h"

#include "backends/cuda/cuda_check.h"

namespace pt2run::cuda {
namespace {

constexpr int kThreads = 256;

int blocks_for(int64_t count) {
  const int64_t blocks = (count + kThreads - 1) / kThreads;
  return static_cast<int>(blocks < 65535 ? blocks : 65535);
}

template <typename T>
__global__ void scale_kernel(T* data, int64_t count, T scale) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)
    data[i] *= scale;
}

// One thread per element of the part to fill (the last dim's points past n/2).
template <typename T>
__global__ void hermitian_fill_kernel(T* data, HermitianFill shape, int64_t start, int64_t count) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t rest = i, dst = 0, src = 0, stride = 1;
    for (int d = shape.dims - 1; d >= 0; --d) {
      const int64_t size = shape.sizes[d];
      const int64_t span = d == shape.last ? size - start : size;
      int64_t at = rest % span;
      rest /= span;
      if (d == shape.last) at += start;
      const int64_t mirror = shape.mirrored[d] ? (size - at) % size : at;
      dst += at * stride;
      src += mirror * stride;
      stride *= size;
    }
    data[2 * dst] = data[2 * src];
    data[2 * dst + 1] = -data[2 * src + 1];
  }
}

}  // namespace

void launch_fft_scale(void* data, int64_t count, bool f64, double scale, cudaStream_t stream) {
  if (count <= 0) return;
  (void)cudaGetLastError();  // a stale error of another library's call is not this launch's
  if (f64) {
    scale_kernel<<<blocks_for(count), kThreads, 0, stream>>>(static_cast<double*>(data), count, scale);
  } else {
    scale_kernel<<<blocks_for(count), kThreads, 0, stream>>>(static_cast<float*>(data), count,
                                                             static_cast<float>(scale));
  }
  PT2RUN_CUDA_CHECK(cudaGetLastError());
}

void launch_hermitian_fill(void* data, bool f64, const HermitianFill& shape, cudaStream_t stream) {
  const int64_t n = shape.sizes[shape.last];
  const int64_t start = n / 2 + 1;
  if (n <= start) return;
  int64_t count = n - start;
  for (int d = 0; d < shape.dims; ++d)
    if (d != shape.last) count *= shape.sizes[d];
  if (count <= 0) return;
  (void)cudaGetLastError();
  if (f64) {
    hermitian_fill_kernel<<<blocks_for(count), kThreads, 0, stream>>>(static_cast<double*>(data), shape,
                                                                      start, count);
  } else {
    hermitian_fill_kernel<<<blocks_for(count), kThreads, 0, stream>>>(static_cast<float*>(data), shape,
                                                                      start, count);
  }
  PT2RUN_CUDA_CHECK(cudaGetLastError());
}

}  // namespace pt2run::cuda
