#include "backends/cuda/streams.h"

#include <unordered_map>

#include "backends/cuda/cuda_check.h"

namespace pt2run::cuda {
namespace {

thread_local std::unordered_map<int32_t, cudaStream_t> current_streams;

}  // namespace

cudaStream_t current_stream(int32_t device) {
  if (device < 0) device = current_device();
  auto it = current_streams.find(device);
  return it == current_streams.end() ? nullptr : it->second;
}

void set_current_stream(int32_t device, cudaStream_t stream) {
  if (device < 0) device = current_device();
  current_streams[device] = stream;
}

int32_t current_device() {
  int device = 0;
  PT2RUN_CUDA_CHECK(cudaGetDevice(&device));
  return device;
}

void set_device(int32_t device) { PT2RUN_CUDA_CHECK(cudaSetDevice(device)); }

DeviceGuard::DeviceGuard(int32_t device) : original_(current_device()), current_(original_) {
  set_index(device);
}

DeviceGuard::~DeviceGuard() {
  if (current_ != original_) (void)cudaSetDevice(original_);
}

void DeviceGuard::set_index(int32_t device) {
  if (device < 0 || device == current_) return;
  set_device(device);
  current_ = device;
}

StreamGuard::StreamGuard(cudaStream_t stream, int32_t device)
    : device_(device < 0 ? current_device() : device),
      original_device_(current_device()),
      original_stream_(current_stream(device_)) {
  if (device_ != original_device_) set_device(device_);
  set_current_stream(device_, stream);
}

StreamGuard::~StreamGuard() {
  set_current_stream(device_, original_stream_);
  if (device_ != original_device_) (void)cudaSetDevice(original_device_);
}

}  // namespace pt2run::cuda
