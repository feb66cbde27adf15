#pragma once

#include "backends/convolution_shape.h"
#include "pt2run/tensor.h"

namespace pt2run::cpu {

// aten.convolution computed directly in double, for the dtypes oneDNN has no kernels for
// (float64): every form torch allows (1-3 spatial dims, groups, stride, padding, dilation,
// transposed with output_padding). Writes the validated convolution's result into `out`
// (convolution_output_sizes, any layout). Parallel over (batch, output channel).
void direct_convolution(const Tensor& input, const Tensor& weight, const Tensor* bias,
                        const detail::ConvolutionParams& params, const Tensor& out);

}  // namespace pt2run::cpu
