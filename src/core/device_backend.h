#pragma once

#include <cstddef>
#include <cstdint>

#include "pt2run/device.h"
#include "pt2run/tensor.h"

namespace pt2run::detail {

// What a device backend (CUDA, in libpt2run_cuda) gives the core: memory and copies. The core
// stays device-agnostic — tensors, the shim's creation and copy functions dispatch on the
// storage's device — and CPU-only deployments never load a device runtime.
//
// Thread safety: every method may be called from any thread.
class DeviceBackend {
 public:
  virtual ~DeviceBackend() = default;
  // Uninitialized memory on device `index` (-1: the current device), ordered on the calling
  // thread's current stream. Throws Error(OutOfMemory) naming the size.
  virtual void* allocate(std::size_t nbytes, int32_t index) = 0;
  // Returns memory from allocate(); ordered on the current stream, never synchronizing.
  virtual void deallocate(void* data, int32_t index) noexcept = 0;
  // Same-dtype copy between two tensors of equal sizes, at least one on this backend's device,
  // any strides; ordered on the current stream (host results are complete on return).
  virtual void copy(const Tensor& dst, const Tensor& src) = 0;
  // Zeroes nbytes at data on device `index`.
  virtual void fill_zero(void* data, std::size_t nbytes, int32_t index) = 0;
  // The device index -1 stands for on this thread.
  virtual int32_t current_device() = 0;
  // Whether device `index`'s current stream is being captured into a graph, where nothing may
  // synchronize with the host (core/host_staging.h refuses to run then).
  virtual bool capturing(int32_t /*index*/) { return false; }
};

// Called once by a backend library when it loads; `backend` lives for the process.
PT2RUN_PLUGIN_API void register_device_backend(DeviceType type, DeviceBackend* backend);
// The backend for `type`; throws Error(DeviceMismatch) saying which library provides it when
// none is registered.
DeviceBackend& device_backend(DeviceType type);
bool has_device_backend(DeviceType type);

}  // namespace pt2run::detail
