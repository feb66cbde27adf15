#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace pt2run::cuda {

// The "current stream" of each device, per thread, as c10's: what generated code and fallback
// ops enqueue on. Starts as the legacy default stream (nullptr); stream guards set and restore it.
cudaStream_t current_stream(int32_t device);
void set_current_stream(int32_t device, cudaStream_t stream);

// The current device of this thread (cudaGetDevice), and setting it.
int32_t current_device();
void set_device(int32_t device);

// Sets the current device for its lifetime and restores the previous one (aoti_torch's
// CUDAGuard). Makes no CUDA call beyond reading the current device when nothing changes: every
// generated run and GEMM builds one.
class DeviceGuard {
 public:
  explicit DeviceGuard(int32_t device);
  ~DeviceGuard();
  void set_index(int32_t device);
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int32_t original_;
  int32_t current_;
};

// Makes `stream` the current stream of `device` (and `device` current) for its lifetime,
// restoring both after (aoti_torch's CUDAStreamGuard).
class StreamGuard {
 public:
  StreamGuard(cudaStream_t stream, int32_t device);
  ~StreamGuard();
  StreamGuard(const StreamGuard&) = delete;
  StreamGuard& operator=(const StreamGuard&) = delete;

 private:
  int32_t device_;
  int32_t original_device_;
  cudaStream_t original_stream_;
};

}  // namespace pt2run::cuda
