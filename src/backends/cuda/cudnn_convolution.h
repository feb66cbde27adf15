#pragma once

#include "backends/convolution_shape.h"
#include "pt2run/tensor.h"

namespace pt2run::cuda {

// torch's aten.convolution on cuDNN for 1-d, 2-d and 3-d inputs [N, C, *spatial] on the GPU:
// grouped, dilated, strided and transposed (cuDNN's backward-data), with an optional bias.
// float32, float16 and bfloat16. The output is a new tensor, channels-last when the input or
// weight is (as torch; AOTInductor plans for that layout), contiguous otherwise; operands in
// another layout are first copied into the output's. Runs on the current stream. float32 may
// use TF32 tensor cores as torch does by default (set_allow_tf32_convolution). Throws Error on
// invalid arguments, and UnsupportedPackage when cuDNN 9 (libcudnn.so.9) cannot be loaded.
Tensor convolution(const Tensor& input, const Tensor& weight, const Tensor* bias,
                   const detail::ConvolutionParams& params);

}  // namespace pt2run::cuda
