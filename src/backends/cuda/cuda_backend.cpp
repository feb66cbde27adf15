// Device memory for pt2run tensors: stream-ordered allocation (cudaMallocAsync) from each
// device's default pool, whose release threshold is raised so freed memory stays cached for the
// next run instead of going back to the driver at every synchronization; frees are ordered on
// the stream the memory was allocated on and never synchronize the device.

#include "backends/cuda/cuda_backend.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "backends/cuda/copy_kernels.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/streams.h"
#include "core/tensor_copy.h"
#include "core/layout.h"

namespace pt2run::cuda {
namespace {

struct Allocation {
  cudaStream_t stream;
  int32_t device;
};

thread_local CaptureArena* t_arena = nullptr;
thread_local std::size_t* t_meter = nullptr;

std::size_t arena_bytes(std::size_t nbytes) {
  return (std::max<std::size_t>(nbytes, 1) + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
}

StridedCopy copy_shape(const Tensor& dst, const Tensor& src) {
  PT2RUN_CHECK(dst.dim() <= kMaxCopyDims, NotImplemented, "CUDA copies of tensors with more than ",
               kMaxCopyDims, " dims");
  StridedCopy shape;
  shape.dims = static_cast<int>(dst.dim());
  shape.numel = dst.numel();
  for (int d = 0; d < shape.dims; ++d) {
    shape.sizes[d] = dst.sizes()[static_cast<std::size_t>(d)];
    shape.dst_strides[d] = dst.strides()[static_cast<std::size_t>(d)];
    shape.src_strides[d] = src.strides()[static_cast<std::size_t>(d)];
  }
  return shape;
}

using detail::sizes_of;

class CudaBackend final : public detail::DeviceBackend {
 public:
  void* allocate(std::size_t nbytes, int32_t index) override {
    const int32_t device = index >= 0 ? index : current_device();
    if (t_meter) *t_meter += arena_bytes(nbytes);
    if (t_arena && t_arena->device == device) {
      const std::size_t bytes = arena_bytes(nbytes);
      PT2RUN_CHECK(t_arena->used + bytes <= t_arena->size, OutOfMemory, "a CUDA-graph capture needs more than the ",
                   t_arena->size, " bytes its warm-up run allocated");
      void* data = t_arena->base + t_arena->used;
      t_arena->used += bytes;
      return data;
    }
    DeviceGuard guard(device);
    prepare_pool(device);
    cudaStream_t stream = current_stream(device);
    void* data = nullptr;
    cudaError_t status = cudaMallocAsync(&data, nbytes, stream);
    if (status != cudaSuccess) {
      (void)cudaGetLastError();
      detail::fail(status == cudaErrorMemoryAllocation ? ErrorCode::OutOfMemory : ErrorCode::Internal,
                   "cudaMallocAsync of ", nbytes, " bytes on cuda:", device, " failed: ",
                   cudaGetErrorString(status),
                   status == cudaErrorMemoryAllocation ? " (free cached memory with pt2run::cuda::empty_cache, "
                                                         "or run fewer models at once)" : "");
    }
    std::lock_guard lock(mutex_);
    allocations_[data] = {stream, device};
    return data;
  }

  void deallocate(void* data, int32_t) noexcept override {
    Allocation a{};
    {
      std::lock_guard lock(mutex_);
      auto it = allocations_.find(data);
      if (it == allocations_.end()) return;
      a = it->second;
      allocations_.erase(it);
    }
    int previous = 0;
    (void)cudaGetDevice(&previous);
    if (previous != a.device) (void)cudaSetDevice(a.device);
    // Ordered after everything already enqueued on the allocating stream.
    if (cudaFreeAsync(data, a.stream) != cudaSuccess) (void)cudaGetLastError();
    if (previous != a.device) (void)cudaSetDevice(previous);
  }

  void copy(const Tensor& dst, const Tensor& src) override {
    PT2RUN_CHECK(dst.dtype() == src.dtype(), DTypeMismatch, "CUDA copy needs equal dtypes");
    if (dst.numel() == 0) return;
    const bool dst_host = dst.device().is_cpu(), src_host = src.device().is_cpu();
    const int32_t device = dst_host ? src.device().index : dst.device().index;
    DeviceGuard guard(device);
    cudaStream_t stream = current_stream(device);
    const std::size_t bytes = dst.nbytes();
    if (dst_host && src_host) {
      detail::copy_elements(dst, src);
      return;
    }
    if (!dst_host && !src_host) {
      if (dst.is_contiguous() && src.is_contiguous()) {
        PT2RUN_CUDA_CHECK(cudaMemcpyAsync(dst.data_ptr(), src.data_ptr(), bytes, cudaMemcpyDeviceToDevice, stream));
      } else {
        launch_strided_copy(dst.data_ptr(), src.data_ptr(), dst.element_size(), copy_shape(dst, src), stream);
      }
      return;
    }
    if (src_host) {  // host -> device
      Tensor host = src.contiguous();
      if (dst.is_contiguous()) {
        PT2RUN_CUDA_CHECK(cudaMemcpyAsync(dst.data_ptr(), host.data_ptr(), bytes, cudaMemcpyHostToDevice, stream));
      } else {
        Tensor staged = Tensor::empty(sizes_of(dst), dst.dtype(), dst.device());
        PT2RUN_CUDA_CHECK(cudaMemcpyAsync(staged.data_ptr(), host.data_ptr(), bytes, cudaMemcpyHostToDevice, stream));
        launch_strided_copy(dst.data_ptr(), staged.data_ptr(), dst.element_size(), copy_shape(dst, staged), stream);
      }
      // The host buffer may go away when we return.
      PT2RUN_CUDA_CHECK(cudaStreamSynchronize(stream));
      return;
    }
    // device -> host: complete on return.
    Tensor device_side = src;
    if (!src.is_contiguous()) {
      device_side = Tensor::empty(sizes_of(src), src.dtype(), src.device());
      launch_strided_copy(device_side.data_ptr(), src.data_ptr(), src.element_size(),
                          copy_shape(device_side, src), stream);
    }
    Tensor host = dst.is_contiguous() ? dst : Tensor::empty(sizes_of(dst), dst.dtype());
    PT2RUN_CUDA_CHECK(cudaMemcpyAsync(host.data_ptr(), device_side.data_ptr(), bytes, cudaMemcpyDeviceToHost, stream));
    PT2RUN_CUDA_CHECK(cudaStreamSynchronize(stream));
    if (!dst.is_contiguous()) detail::copy_elements(dst, host);
  }

  void fill_zero(void* data, std::size_t nbytes, int32_t index) override {
    DeviceGuard guard(index);
    PT2RUN_CUDA_CHECK(cudaMemsetAsync(data, 0, nbytes, current_stream(index)));
  }

  int32_t current_device() override { return cuda::current_device(); }

  bool capturing(int32_t index) override {
    const int32_t device = index >= 0 ? index : current_device();
    cudaStreamCaptureStatus status = cudaStreamCaptureStatusNone;
    if (cudaStreamIsCapturing(current_stream(device), &status) != cudaSuccess) {
      (void)cudaGetLastError();
      return false;
    }
    return status != cudaStreamCaptureStatusNone;
  }

  void release_cached() {
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess) return;
    for (int device = 0; device < count; ++device) {
      cudaMemPool_t pool{};
      if (cudaDeviceGetDefaultMemPool(&pool, device) == cudaSuccess) (void)cudaMemPoolTrimTo(pool, 0);
    }
  }

 private:
  void prepare_pool(int32_t device) {
    std::lock_guard lock(mutex_);
    if (device < static_cast<int32_t>(pools_ready_.size()) && pools_ready_[static_cast<std::size_t>(device)]) return;
    cudaMemPool_t pool{};
    PT2RUN_CUDA_CHECK(cudaDeviceGetDefaultMemPool(&pool, device));
    uint64_t keep = std::numeric_limits<uint64_t>::max();
    PT2RUN_CUDA_CHECK(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep));
    if (pools_ready_.size() <= static_cast<std::size_t>(device)) pools_ready_.resize(static_cast<std::size_t>(device) + 1);
    pools_ready_[static_cast<std::size_t>(device)] = true;
  }

  std::mutex mutex_;
  std::unordered_map<void*, Allocation> allocations_;
  std::vector<bool> pools_ready_;
};

CudaBackend& backend() {
  static CudaBackend* instance = new CudaBackend();  // lives for the process: storages may outlive statics
  return *instance;
}

}  // namespace

void register_backend() {
  static std::once_flag once;
  std::call_once(once, [] { detail::register_device_backend(DeviceType::CUDA, &backend()); });
}

void release_cached_memory() { backend().release_cached(); }

void set_capture_arena(CaptureArena* arena) { t_arena = arena; }
void set_allocation_meter(std::size_t* counter) { t_meter = counter; }

}  // namespace pt2run::cuda
