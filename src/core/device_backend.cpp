#include "core/device_backend.h"

#include <atomic>

#include "core/check.h"

namespace pt2run::detail {
namespace {

std::atomic<DeviceBackend*> cuda_backend{nullptr};

}  // namespace

void register_device_backend(DeviceType type, DeviceBackend* backend) {
  PT2RUN_CHECK(type == DeviceType::CUDA, InvalidArgument, "only CUDA backends can be registered");
  cuda_backend.store(backend);
}

bool has_device_backend(DeviceType type) {
  return type == DeviceType::CUDA && cuda_backend.load() != nullptr;
}

DeviceBackend& device_backend(DeviceType type) {
  DeviceBackend* backend = type == DeviceType::CUDA ? cuda_backend.load() : nullptr;
  PT2RUN_CHECK(backend != nullptr, DeviceMismatch, "no ", Device{type, -1}.str(),
               " backend is loaded: build pt2run with CUDA (libpt2run_cuda.so) and make sure it "
               "can be found next to libpt2run.so");
  return *backend;
}

}  // namespace pt2run::detail
