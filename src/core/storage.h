#pragma once

#include <cstddef>
#include <memory>

#include "core/packed_layout.h"
#include "pt2run/device.h"
#include "pt2run/tensor.h"

namespace pt2run::detail {

// The bytes behind one or more tensors. Storage never moves its data: model libraries cache
// data pointers of constants (aoti-abi.md §7.3).
struct Storage {
  void* data = nullptr;
  std::size_t nbytes = 0;
  Device device = Device::cpu();
  // Set for caller memory handed over with a deleter; empty for borrowed caller memory.
  Tensor::Deleter deleter;
  // True when pt2run's allocator (CPU, or the device backend's) owns data.
  bool owns_data = false;
  // Set when the bytes are in a kernel library's layout (a prepacked weight), not in the order
  // a view's strides say: only kernels that read PackedLayout may use them.
  std::shared_ptr<const PackedLayout> packed_layout;

  Storage() = default;
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage();
};

// 64-byte aligned, uninitialized storage; nbytes == 0 gives a null data pointer.
// Throws Error(OutOfMemory).
std::shared_ptr<Storage> allocate_cpu_storage(std::size_t nbytes);
// Uninitialized storage from the device's backend (core/device_backend.h); the storage records
// the concrete device index. Throws Error(DeviceMismatch) without a backend, OutOfMemory.
std::shared_ptr<Storage> allocate_device_storage(std::size_t nbytes, Device device);
// A storage over memory pt2run does not own (see Tensor::from_blob).
std::shared_ptr<Storage> wrap_storage(void* data, std::size_t nbytes, Device device,
                                      Tensor::Deleter deleter);

}  // namespace pt2run::detail
