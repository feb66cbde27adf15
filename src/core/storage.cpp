#include "core/storage.h"

#include <cstdlib>
#include <new>

#include "core/check.h"
#include "core/cpu_blocks.h"
#include "core/device_backend.h"

namespace pt2run::detail {

Storage::~Storage() {
  if (owns_data && !device.is_cpu()) {
    device_backend(device.type).deallocate(data, device.index);
  } else if (owns_data) {
    free_cpu_block(data, nbytes);
  } else if (deleter) {
    deleter(data);
  }
}

std::shared_ptr<Storage> allocate_cpu_storage(std::size_t nbytes) {
  auto storage = std::make_shared<Storage>();
  if (nbytes > 0) {
    storage->data = allocate_cpu_block(nbytes);
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
