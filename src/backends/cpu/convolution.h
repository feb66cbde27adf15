#pragma once

#include <vector>

#include "backends/convolution_shape.h"
#include "backends/cpu/epilogue.h"
#include "pt2run/tensor.h"

namespace pt2run::cpu {

using detail::ConvolutionParams;

// torch's aten.convolution for 1-d, 2-d and 3-d inputs [N, C, *spatial] on oneDNN: grouped,
// dilated, strided and transposed. Returns a new tensor, channels-last if the input or weight
// is channels-last and contiguous otherwise (the layout torch and AOTInductor expect). float32 runs natively; float16 and bfloat16 run
// natively where oneDNN supports them on this CPU and otherwise in float32, rounding once; float64
// runs in double (direct_convolution.h), as oneDNN has no float64 kernels.
// Throws Error on invalid shapes or parameters.
Tensor convolution(const Tensor& input, const Tensor& weight, const Tensor* bias,
                   const ConvolutionParams& params);

// torch's mkldnn._convolution_pointwise family: the convolution followed by `epilogue`, fused
// into oneDNN's kernel where it can be. The weight may be a prepacked one (onednn_packed.h),
// read in its own layout; a transposed one then has oneDNN's sizes [O, I, *k]. The result is
// channels-last in 2-d and 3-d when an operand is, and always for a prepacked weight (torch's
// layout for these ops); contiguous otherwise.
Tensor convolution_pointwise(const Tensor& input, const Tensor& weight, const Tensor* bias,
                             const ConvolutionParams& params, const Epilogue& epilogue);

// torch's in-place residual form (mkldnn._convolution_pointwise_.binary with add):
// target = activation(convolution + target), `epilogue` giving the activation only. Computed
// straight into target where it has the result's layout; otherwise out of place and copied in.
void convolution_pointwise_add_(const Tensor& target, const Tensor& input, const Tensor& weight,
                                const Tensor* bias, const ConvolutionParams& params, const Epilogue& epilogue);

}  // namespace pt2run::cpu
