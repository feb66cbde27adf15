#pragma once

// What every backend's convolution agrees on: torch's parameters, their checks, the output
// shape and the output layout. The backends differ only in how they compute.

#include <cstdint>
#include <vector>

#include "pt2run/export.h"
#include "pt2run/tensor.h"

namespace pt2run::detail {

struct ConvolutionParams {
  std::vector<int64_t> stride;
  std::vector<int64_t> padding;
  std::vector<int64_t> dilation;
  bool transposed = false;
  std::vector<int64_t> output_padding;
  int64_t groups = 1;
};

// As torch: one value stands for every spatial dimension (AOTInductor passes padding=[0] for
// a depthwise convolution with padding 0, say).
PT2RUN_PLUGIN_API ConvolutionParams expand_convolution_params(const ConvolutionParams& given,
                                                              int64_t input_dim);

// Throws Error (ShapeMismatch, InvalidArgument, DTypeMismatch) unless input [N, C, *spatial]
// (1 to 3 spatial dims), weight and the optional bias describe a valid torch convolution.
PT2RUN_PLUGIN_API void validate_convolution(const Tensor& input, const Tensor& weight, const Tensor* bias,
                                            const ConvolutionParams& params);

// [N, out_channels, *spatial] of a validated convolution.
PT2RUN_PLUGIN_API std::vector<int64_t> convolution_output_sizes(const Tensor& input, const Tensor& weight,
                                                                const ConvolutionParams& params);

// torch (and AOTInductor's layout planning) make the output channels-last when the input or
// the weight is.
PT2RUN_PLUGIN_API bool convolution_channels_last(const Tensor& input, const Tensor& weight);

}  // namespace pt2run::detail
