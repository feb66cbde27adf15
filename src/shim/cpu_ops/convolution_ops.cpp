// aoti_torch_cpu_convolution and the deprecated aoti_torch_convolution.

#include "backends/cpu/convolution.h"
#include "shim/shim_args.h"
#include "shim/shim_guard.h"

using pt2run::shim::guard;
using pt2run::shim::optional_tensor;
using pt2run::shim::convolution_params;
using pt2run::shim::release_handle;
using pt2run::shim::require_out;
using pt2run::shim::tensor;

namespace {

AOTITorchError convolution(const char* function, AtenTensorHandle input, AtenTensorHandle weight,
                           AtenTensorHandle bias, const int64_t* stride, int64_t stride_len,
                           const int64_t* padding, int64_t padding_len, const int64_t* dilation,
                           int64_t dilation_len, int32_t transposed,
                           const int64_t* output_padding, int64_t output_padding_len,
                           int64_t groups, AtenTensorHandle* ret) {
  return guard(function, [&] {
    const auto params = convolution_params(stride, stride_len, padding, padding_len, dilation, dilation_len,
                                           transposed, output_padding, output_padding_len, groups);
    *require_out(ret, "ret0") = release_handle(
        pt2run::cpu::convolution(tensor(input), tensor(weight), optional_tensor(&bias), params));
  });
}

}  // namespace

AOTITorchError aoti_torch_cpu_convolution(AtenTensorHandle input, AtenTensorHandle weight,
                                          AtenTensorHandle* bias, const int64_t* stride,
                                          int64_t stride_len_, const int64_t* padding,
                                          int64_t padding_len_, const int64_t* dilation,
                                          int64_t dilation_len_, int32_t transposed,
                                          const int64_t* output_padding,
                                          int64_t output_padding_len_, int64_t groups,
                                          AtenTensorHandle* ret0) {
  return convolution(__func__, input, weight, bias ? *bias : nullptr, stride, stride_len_,
                     padding, padding_len_, dilation, dilation_len_, transposed, output_padding,
                     output_padding_len_, groups, ret0);
}

AOTITorchError aoti_torch_convolution(AtenTensorHandle input, AtenTensorHandle weight,
                                      AtenTensorHandle bias, const int64_t* stride_ptr,
                                      int64_t stride_size, const int64_t* padding_ptr,
                                      int64_t padding_size, const int64_t* dilation_ptr,
                                      int64_t dilation_size, int transposed,
                                      const int64_t* output_padding_ptr,
                                      int64_t output_padding_size, int64_t groups,
                                      AtenTensorHandle* ret) {
  return convolution(__func__, input, weight, bias, stride_ptr, stride_size, padding_ptr,
                     padding_size, dilation_ptr, dilation_size, transposed, output_padding_ptr,
                     output_padding_size, groups, ret);
}
