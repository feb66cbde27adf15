#pragma once

// cuDNN 9, loaded at run time: the functions pt2run calls, the per-thread handles, and status
// checks. Shared by the convolution code (cudnn_convolution.cpp) and its execution plans
// (cudnn_plans.cpp).

#include <cudnn.h>

#include "backends/cuda/dynamic_library.h"

namespace pt2run::cuda {

// The legacy convolution functions are deprecated in cuDNN 9 (still shipped by every 9.x); they
// are the fallback where the graph API finds no plan.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
struct Cudnn {
  decltype(&cudnnCreate) create = nullptr;
  decltype(&cudnnDestroy) destroy = nullptr;
  decltype(&cudnnSetStream) set_stream = nullptr;
  decltype(&cudnnGetErrorString) error_string = nullptr;
  decltype(&cudnnCreateTensorDescriptor) create_tensor = nullptr;
  decltype(&cudnnDestroyTensorDescriptor) destroy_tensor = nullptr;
  decltype(&cudnnSetTensorNdDescriptor) set_tensor = nullptr;
  decltype(&cudnnCreateFilterDescriptor) create_filter = nullptr;
  decltype(&cudnnDestroyFilterDescriptor) destroy_filter = nullptr;
  decltype(&cudnnSetFilterNdDescriptor) set_filter = nullptr;
  decltype(&cudnnCreateConvolutionDescriptor) create_conv = nullptr;
  decltype(&cudnnDestroyConvolutionDescriptor) destroy_conv = nullptr;
  decltype(&cudnnSetConvolutionNdDescriptor) set_conv = nullptr;
  decltype(&cudnnSetConvolutionGroupCount) set_groups = nullptr;
  decltype(&cudnnSetConvolutionMathType) set_math = nullptr;
  decltype(&cudnnGetConvolutionForwardAlgorithm_v7) forward_algorithms = nullptr;
  decltype(&cudnnGetConvolutionForwardWorkspaceSize) forward_workspace = nullptr;
  decltype(&cudnnConvolutionForward) forward = nullptr;
  decltype(&cudnnGetConvolutionBackwardDataAlgorithm_v7) backward_data_algorithms = nullptr;
  decltype(&cudnnGetConvolutionBackwardDataWorkspaceSize) backward_data_workspace = nullptr;
  decltype(&cudnnConvolutionBackwardData) backward_data = nullptr;

  // The graph ("backend") API: convolutions with execution plans built once (cudnn_plans.h).
  decltype(&cudnnBackendCreateDescriptor) backend_create = nullptr;
  decltype(&cudnnBackendDestroyDescriptor) backend_destroy = nullptr;
  decltype(&cudnnBackendSetAttribute) backend_set = nullptr;
  decltype(&cudnnBackendGetAttribute) backend_get = nullptr;
  decltype(&cudnnBackendFinalize) backend_finalize = nullptr;
  decltype(&cudnnBackendExecute) backend_execute = nullptr;

  static const Cudnn& get();

 private:
  static Cudnn load();
};
#pragma GCC diagnostic pop


// Throws Error(Internal) naming `what` and cuDNN's message unless status is success.
void check_cudnn(cudnnStatus_t status, const char* what);

// This thread's handle for `device` (created on first use, destroyed at thread exit), with
// `stream` set on it (cudnnSetStream costs microseconds, so only when it changes).
cudnnHandle_t cudnn_handle(int32_t device, cudaStream_t stream);

}  // namespace pt2run::cuda
