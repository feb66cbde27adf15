#include "core/storage.h"

#include <cstdlib>
#include <new>

#include "core/check.h"
#include "core/device_backend.h"

namespace pt2run::detail {
namespace {
constexpr std::size_t kAlignment = 64;
}

Storage::~Storage() {
  if (owns_data && !device.is_cpu()) {
    device_backend(device.type).deallocate(data, device.index);
  } else if (owns_data) {
    std::free(data);
  } else if (deleter) {
    deleter(data);
  }
}

std::shared_ptr<Storage> allocate_cpu_storage(std::size_t nbytes) {
  auto storage = std::make_shared<Storage>();
  if (nbytes > 0) {
    std::size_t rounded = (nbytes + kAlignment - 1) / kAlignment * kAlignment;
    PT2RUN_CHECK(rounded >= nbytes, OutOfMemory, "cannot allocate ", nbytes, " bytes");
    storage->data = std::aligned_alloc(kAlignment, rounded);
    PT2RUN_CHECK(storage->data != nullptr, OutOfMemory, "out of memory allocating ", nbytes,
                 " bytes of CPU memory");
    storage->owns_data = true;
  }
  storage->nbytes = nbytes;
  return storage;
}

std::shared_ptr<Storage> allocate_device_storage(std::size_t nbytes, Device device) {
  DeviceBackend& backend = device_backend(device.type);
  auto storage = std::make_shared<Storage>();
  storage->device = Device{device.type, device.index >= 0 ? device.index : backend.current_device()};
  if (nbytes > 0) {
    storage->data = backend.allocate(nbytes, storage->device.index);
    storage->owns_data = true;
  }
  storage->nbytes = nbytes;
  return storage;
}

std::shared_ptr<Storage> wrap_storage(void* data, std::size_t nbytes, Device device,
                                      Tensor::Deleter deleter) {
  auto storage = std::make_shared<Storage>();
  storage->data = data;
  storage->nbytes = nbytes;
  storage->device = device;
  storage->deleter = std::move(deleter);
  return storage;
}

}  // namespace pt2run::detail
