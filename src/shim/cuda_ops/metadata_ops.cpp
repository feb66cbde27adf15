// CUDA ops that only touch metadata (views, set_, resize_), served by the CPU functions, which
// work on any device; and factories, made on the host and moved to the device asked for.

#include "backends/cuda/cuda_check.h"
#include "backends/cuda/streams.h"
#include "shim/aoti_shim_cuda.h"
#include "shim/shim_args.h"
#include "shim/shim_guard.h"

using pt2run::shim::guard;
using pt2run::shim::put_result;
using pt2run::shim::tensor;

AOTITorchError aoti_torch_cuda_narrow(AtenTensorHandle self, int64_t dim, int64_t start,
                                      int64_t length, AtenTensorHandle* ret0) {
  return aoti_torch_cpu_narrow(self, dim, start, length, ret0);
}

AOTITorchError aoti_torch_cuda_permute(AtenTensorHandle self, const int64_t* dims,
                                       int64_t dims_len_, AtenTensorHandle* ret0) {
  return aoti_torch_cpu_permute(self, dims, dims_len_, ret0);
}

AOTITorchError aoti_torch_cuda_reshape(AtenTensorHandle self, const int64_t* shape,
                                       int64_t shape_len_, AtenTensorHandle* ret0) {
  return aoti_torch_cpu_reshape(self, shape, shape_len_, ret0);
}

AOTITorchError aoti_torch_cuda_resize_(AtenTensorHandle self, const int64_t* size,
                                       int64_t size_len_, int32_t* memory_format) {
  return aoti_torch_cpu_resize_(self, size, size_len_, memory_format);
}

AOTITorchError aoti_torch_cuda_resize_as_(AtenTensorHandle self, AtenTensorHandle the_template,
                                          int32_t* memory_format) {
  return aoti_torch_cpu_resize_as_(self, the_template, memory_format);
}

AOTITorchError aoti_torch_cuda_set__source_Tensor(AtenTensorHandle self, AtenTensorHandle source) {
  return aoti_torch_cpu_set__source_Tensor(self, source);
}

AOTITorchError aoti_torch_cuda_slice_Tensor(AtenTensorHandle self, int64_t dim, int64_t* start,
                                            int64_t* end, int64_t step, AtenTensorHandle* ret0) {
  return aoti_torch_cpu_slice_Tensor(self, dim, start, end, step, ret0);
}

AOTITorchError aoti_torch_cuda_squeeze_dim(AtenTensorHandle self, int64_t dim,
                                           AtenTensorHandle* ret0) {
  return aoti_torch_cpu_squeeze_dim(self, dim, ret0);
}

AOTITorchError aoti_torch_cuda_view_as_complex(AtenTensorHandle self, AtenTensorHandle* ret0) {
  return aoti_torch_cpu_view_as_complex(self, ret0);
}

AOTITorchError aoti_torch_cuda_view_as_real(AtenTensorHandle self, AtenTensorHandle* ret0) {
  return aoti_torch_cpu_view_as_real(self, ret0);
}

AOTITorchError aoti_torch_cuda_view_dtype(AtenTensorHandle self, int32_t dtype,
                                          AtenTensorHandle* ret0) {
  return aoti_torch_cpu_view_dtype(self, dtype, ret0);
}

namespace {

// Runs a CPU factory with the device argument set to the CPU, then moves its result to the
// device the call named.
template <class Make>
AOTITorchError make_on_host(const char* function, const int32_t* device, int32_t device_index,
                            AtenTensorHandle* ret0, Make&& make) {
  return guard(function, [&] {
    const pt2run::Device target = device ? pt2run::shim::device_arg(*device, device_index)
                                         : pt2run::Device::cuda(device_index);
    // Its copy to the device synchronizes, which would invalidate a graph capture.
    cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
    if (target.type == pt2run::DeviceType::CUDA)
      PT2RUN_CUDA_CHECK(cudaStreamIsCapturing(
          pt2run::cuda::current_stream(target.index >= 0 ? target.index : pt2run::cuda::current_device()),
          &capture));
    PT2RUN_CHECK(capture == cudaStreamCaptureStatusNone, NotImplemented,
                 function, " is made on the host and copied to ", target.str(),
                 ", which a graph capture cannot contain; run this model without CUDA graphs");
    int32_t cpu = 0;
    AtenTensorHandle host = nullptr;
    if (make(&cpu, &host) != kShimSuccess)
      pt2run::detail::fail(pt2run::ErrorCode::ModelFailure, pt2run::shim::last_error());
    pt2run::Tensor made = tensor(host);
    delete reinterpret_cast<pt2run::Tensor*>(host);
    put_result(made.to(target), ret0);
  });
}

}  // namespace

AOTITorchError aoti_torch_cuda_hann_window(int64_t window_length, int32_t* dtype, int32_t* layout,
                                           int32_t* device, int32_t device_index_,
                                           int32_t* pin_memory, AtenTensorHandle* ret0) {
  return make_on_host(
      __func__, device, device_index_, ret0, [&](int32_t* cpu, AtenTensorHandle* host) {
        return aoti_torch_cpu_hann_window(window_length, dtype, layout, cpu, -1, pin_memory, host);
      });
}

AOTITorchError aoti_torch_cuda__efficientzerotensor(const int64_t* size, int64_t size_len_,
                                                    int32_t* dtype, int32_t* layout,
                                                    int32_t* device, int32_t device_index_,
                                                    int32_t* pin_memory, AtenTensorHandle* ret0) {
  return make_on_host(__func__, device, device_index_, ret0,
                      [&](int32_t* cpu, AtenTensorHandle* host) {
                        return aoti_torch_cpu__efficientzerotensor(size, size_len_, dtype, layout,
                                                                   cpu, -1, pin_memory, host);
                      });
}
