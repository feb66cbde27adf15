// aoti_torch_cuda_convolution on cuDNN.

#include "backends/cuda/cudnn_convolution.h"
#include "shim/aoti_shim_cuda.h"
#include "shim/shim_args.h"
#include "shim/shim_guard.h"

using pt2run::shim::guard;
using pt2run::shim::optional_tensor;
using pt2run::shim::convolution_params;
using pt2run::shim::release_handle;
using pt2run::shim::require_out;
using pt2run::shim::tensor;

AOTITorchError aoti_torch_cuda_convolution(AtenTensorHandle input, AtenTensorHandle weight, AtenTensorHandle* bias,
                                           const int64_t* stride, int64_t stride_len_, const int64_t* padding,
                                           int64_t padding_len_, const int64_t* dilation, int64_t dilation_len_,
                                           int32_t transposed, const int64_t* output_padding,
                                           int64_t output_padding_len_, int64_t groups, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    const auto params = convolution_params(stride, stride_len_, padding, padding_len_, dilation, dilation_len_,
                                           transposed, output_padding, output_padding_len_, groups);
    *require_out(ret0, "ret0") =
        release_handle(pt2run::cuda::convolution(tensor(input), tensor(weight), optional_tensor(bias), params));
  });
}
