#include "backends/cuda/cudnn_library.h"

#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace pt2run::cuda {

const Cudnn& Cudnn::get() {
  static const Cudnn api = load();
  return api;
}

Cudnn Cudnn::load() {
  constexpr const char* soname = "libcudnn.so.9";
  void* lib = open_library(soname, "runs convolutions on the GPU",
                           "install cuDNN 9 for CUDA 13 (e.g. pip install nvidia-cudnn-cu13) and put "
                           "its lib folder on LD_LIBRARY_PATH");
  Cudnn api;
  auto resolve = [&](auto& fn, const char* name) { resolve_symbol(lib, soname, fn, name); };
  resolve(api.create, "cudnnCreate");
  resolve(api.destroy, "cudnnDestroy");
  resolve(api.set_stream, "cudnnSetStream");
  resolve(api.error_string, "cudnnGetErrorString");
  resolve(api.create_tensor, "cudnnCreateTensorDescriptor");
  resolve(api.destroy_tensor, "cudnnDestroyTensorDescriptor");
  resolve(api.set_tensor, "cudnnSetTensorNdDescriptor");
  resolve(api.create_filter, "cudnnCreateFilterDescriptor");
  resolve(api.destroy_filter, "cudnnDestroyFilterDescriptor");
  resolve(api.set_filter, "cudnnSetFilterNdDescriptor");
  resolve(api.create_conv, "cudnnCreateConvolutionDescriptor");
  resolve(api.destroy_conv, "cudnnDestroyConvolutionDescriptor");
  resolve(api.set_conv, "cudnnSetConvolutionNdDescriptor");
  resolve(api.set_groups, "cudnnSetConvolutionGroupCount");
  resolve(api.set_math, "cudnnSetConvolutionMathType");
  resolve(api.forward_algorithms, "cudnnGetConvolutionForwardAlgorithm_v7");
  resolve(api.forward_workspace, "cudnnGetConvolutionForwardWorkspaceSize");
  resolve(api.forward, "cudnnConvolutionForward");
  resolve(api.backward_data_algorithms, "cudnnGetConvolutionBackwardDataAlgorithm_v7");
  resolve(api.backward_data_workspace, "cudnnGetConvolutionBackwardDataWorkspaceSize");
  resolve(api.backward_data, "cudnnConvolutionBackwardData");
  resolve(api.backend_create, "cudnnBackendCreateDescriptor");
  resolve(api.backend_destroy, "cudnnBackendDestroyDescriptor");
  resolve(api.backend_set, "cudnnBackendSetAttribute");
  resolve(api.backend_get, "cudnnBackendGetAttribute");
  resolve(api.backend_finalize, "cudnnBackendFinalize");
  resolve(api.backend_execute, "cudnnBackendExecute");
  return api;
}

void check_cudnn(cudnnStatus_t status, const char* what) {
  if (status == CUDNN_STATUS_SUCCESS) return;
  detail::fail(ErrorCode::Internal, what, " failed: ", Cudnn::get().error_string(status));
}

cudnnHandle_t cudnn_handle(int32_t device, cudaStream_t stream) {
  struct Handle {
    cudnnHandle_t handle = nullptr;
    cudaStream_t stream = nullptr;
    bool stream_set = false;
  };
  auto destroy = [](Handle* h) {
    (void)Cudnn::get().destroy(h->handle);
    delete h;
    return 0;
  };
  thread_local ThreadHandles<Handle*, decltype(destroy)> handles(destroy);
  Handle* h = handles.get(device, [] {
    auto* created = new Handle();
    check_cudnn(Cudnn::get().create(&created->handle), "cudnnCreate");
    return created;
  });
  if (!h->stream_set || h->stream != stream) {
    check_cudnn(Cudnn::get().set_stream(h->handle, stream), "cudnnSetStream");
    h->stream = stream;
    h->stream_set = true;
  }
  return h->handle;
}

}  // namespace pt2run::cuda
