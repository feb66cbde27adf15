// aoti_torch_{create,delete}_cuda_guard, cuda_guard_set_index, {create,delete}_cuda_stream_guard,
// get_current_cuda_stream.

#include "backends/cuda/streams.h"
#include "shim/aoti_shim_cuda.h"
#include "shim/shim_guard.h"

using pt2run::cuda::DeviceGuard;
using pt2run::cuda::StreamGuard;
using pt2run::shim::guard;
using pt2run::shim::require_out;

AOTITorchError aoti_torch_create_cuda_guard(int32_t device_index, CUDAGuardHandle* ret_guard) {
  return guard(__func__, [&] {
    *require_out(ret_guard, "ret_guard") = reinterpret_cast<CUDAGuardHandle>(new DeviceGuard(device_index));
  });
}

AOTITorchError aoti_torch_delete_cuda_guard(CUDAGuardHandle handle) {
  return guard(__func__, [&] { delete reinterpret_cast<DeviceGuard*>(handle); });
}

AOTITorchError aoti_torch_cuda_guard_set_index(CUDAGuardHandle handle, int32_t device_index) {
  return guard(__func__, [&] {
    PT2RUN_CHECK(handle != nullptr, InvalidArgument, "null CUDA guard");
    reinterpret_cast<DeviceGuard*>(handle)->set_index(device_index);
  });
}

AOTITorchError aoti_torch_create_cuda_stream_guard(void* stream, int32_t device_index,
                                                   CUDAStreamGuardHandle* ret_guard) {
  return guard(__func__, [&] {
    *require_out(ret_guard, "ret_guard") = reinterpret_cast<CUDAStreamGuardHandle>(
        new StreamGuard(static_cast<cudaStream_t>(stream), device_index));
  });
}

AOTITorchError aoti_torch_delete_cuda_stream_guard(CUDAStreamGuardHandle handle) {
  return guard(__func__, [&] { delete reinterpret_cast<StreamGuard*>(handle); });
}

AOTITorchError aoti_torch_get_current_cuda_stream(int32_t device_index, void** ret_stream) {
  return guard(__func__, [&] {
    *require_out(ret_stream, "ret_stream") = pt2run::cuda::current_stream(device_index);
  });
}
