#include "backends/cuda/bias_kernels.h"


#include "backends/cuda/cuda_check.h"
#include "backends/cuda/float_conversions.cuh"

namespace pt2run::cuda {
namespace {

template <class T>
__global__ void add_channel_bias(T* out, const T* bias, int64_t numel, int64_t channels, int64_t inner) {
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < numel; i += stride)
    out[i] = from_float<T>(to_float(out[i]) + to_float(bias[(i / inner) % channels]));
}

template <class T>
void launch(void* out, const void* bias, int64_t numel, int64_t channels, int64_t inner, cudaStream_t stream) {
  constexpr int kThreads = 256;
  const int64_t blocks = (numel + kThreads - 1) / kThreads;
  const unsigned grid = static_cast<unsigned>(blocks < 65535 ? blocks : 65535);
  (void)cudaGetLastError();  // a stale error of another library's call is not this launch's
  add_channel_bias<T><<<grid, kThreads, 0, stream>>>(static_cast<T*>(out), static_cast<const T*>(bias), numel,
                                                     channels, inner);
  PT2RUN_CUDA_CHECK(cudaGetLastError());
}

}  // namespace

void launch_add_channel_bias(void* out, const void* bias, DType dtype, int64_t numel, int64_t channels,
                             int64_t inner, cudaStream_t stream) {
  if (numel == 0) return;
  switch (dtype) {
    case DType::Float32: launch<float>(out, bias, numel, channels, inner, stream); break;
    case DType::Float16: launch<__half>(out, bias, numel, channels, inner, stream); break;
    case DType::BFloat16: launch<__nv_bfloat16>(out, bias, numel, channels, inner, stream); break;
    default:
      ::pt2run::detail::fail(::pt2run::ErrorCode::NotImplemented, "bias add in ", dtype_name(dtype), " on CUDA");
  }
}

}  // namespace pt2run::cuda
