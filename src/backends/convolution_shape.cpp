#include "backends/convolution_shape.h"

#include <algorithm>

#include "core/check.h"
#include "core/layout.h"

namespace pt2run::detail {

ConvolutionParams expand_convolution_params(const ConvolutionParams& given, int64_t input_dim) {
  ConvolutionParams params = given;
  const std::size_t spatial = input_dim >= 3 ? static_cast<std::size_t>(input_dim - 2) : 0;
  for (auto* values : {&params.stride, &params.padding, &params.dilation, &params.output_padding})
    if (values->size() == 1 && spatial > 1) values->assign(spatial, values->front());
  return params;
}

void validate_convolution(const Tensor& input, const Tensor& weight, const Tensor* bias,
                          const ConvolutionParams& p) {
  const int64_t nd = input.dim();
  PT2RUN_CHECK(nd >= 3 && nd <= 5, ShapeMismatch,
               "convolution expects a batched 1-d, 2-d or 3-d input [N, C, ...], got ",
               input.describe());
  PT2RUN_CHECK(weight.dim() == nd, ShapeMismatch, "convolution: weight ", weight.describe(),
               " does not match input ", input.describe());
  const auto spatial = static_cast<std::size_t>(nd - 2);
  PT2RUN_CHECK(p.stride.size() == spatial && p.padding.size() == spatial &&
                   p.dilation.size() == spatial &&
                   (!p.transposed || p.output_padding.size() == spatial),
               InvalidArgument, "convolution: stride, padding, dilation",
               p.transposed ? " and output_padding" : "", " need ", spatial, " values each");
  for (std::size_t d = 0; d < spatial; ++d) {
    PT2RUN_CHECK(p.stride[d] > 0 && p.dilation[d] > 0 && p.padding[d] >= 0, InvalidArgument,
                 "convolution: stride and dilation must be positive and padding non-negative");
    if (p.transposed)
      PT2RUN_CHECK(p.output_padding[d] >= 0 && p.output_padding[d] < std::max(p.stride[d], p.dilation[d]),
                   InvalidArgument, "transposed convolution: output_padding must be smaller than "
                   "stride or dilation");
  }
  PT2RUN_CHECK(p.groups > 0, InvalidArgument, "convolution: groups must be positive");
  const int64_t channels = input.sizes()[1];
  PT2RUN_CHECK(channels % p.groups == 0, ShapeMismatch, "convolution: ", channels,
               " input channels are not divisible by groups=", p.groups);
  if (!p.transposed) {
    PT2RUN_CHECK(weight.sizes()[0] % p.groups == 0 && weight.sizes()[1] * p.groups == channels,
                 ShapeMismatch, "convolution: weight ", weight.describe(), " does not fit input ",
                 input.describe(), " with groups=", p.groups);
  } else {
    PT2RUN_CHECK(weight.sizes()[0] == channels, ShapeMismatch, "transposed convolution: weight ",
                 weight.describe(), " does not fit input ", input.describe());
  }
  const int64_t out_channels = p.transposed ? weight.sizes()[1] * p.groups : weight.sizes()[0];
  if (bias) {
    PT2RUN_CHECK(bias->dim() == 1 && bias->sizes()[0] == out_channels, ShapeMismatch,
                 "convolution: bias ", bias->describe(), " does not match ", out_channels,
                 " output channels");
  }
  PT2RUN_CHECK(input.dtype() == weight.dtype() && (!bias || bias->dtype() == input.dtype()),
               DTypeMismatch, "convolution: input, weight and bias dtypes differ (",
               input.describe(), ", ", weight.describe(), ")");
  PT2RUN_CHECK(input.device() == weight.device() && (!bias || bias->device() == input.device()),
               DeviceMismatch, "convolution: input, weight and bias are on different devices (",
               input.describe(), ", ", weight.describe(), ")");
}

std::vector<int64_t> convolution_output_sizes(const Tensor& input, const Tensor& weight,
                                              const ConvolutionParams& p) {
  std::vector<int64_t> out{input.sizes()[0], p.transposed ? weight.sizes()[1] * p.groups : weight.sizes()[0]};
  for (int64_t d = 0; d < input.dim() - 2; ++d) {
    const auto i = static_cast<std::size_t>(d);
    const int64_t in = input.sizes()[i + 2], k = weight.sizes()[i + 2];
    const int64_t extent = p.dilation[i] * (k - 1) + 1;
    int64_t size = 0;
    if (!p.transposed) {
      PT2RUN_CHECK(in + 2 * p.padding[i] >= extent, ShapeMismatch, "convolution: input size ", in,
                   " at spatial dim ", d, " is too small for kernel ", k, " with dilation ",
                   p.dilation[i], " and padding ", p.padding[i]);
      size = (in + 2 * p.padding[i] - extent) / p.stride[i] + 1;
    } else {
      size = (in - 1) * p.stride[i] - 2 * p.padding[i] + extent + p.output_padding[i];
      PT2RUN_CHECK(size > 0, ShapeMismatch, "transposed convolution: output size ", size,
                   " at spatial dim ", d, " is not positive");
    }
    out.push_back(size);
  }
  return out;
}

bool convolution_channels_last(const Tensor& input, const Tensor& weight) {
  return suggests_channels_last(input) || suggests_channels_last(weight);
}

}  // namespace pt2run::detail
