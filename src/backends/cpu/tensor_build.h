#pragma once

// Tensors assembled from others (cat, pad, nonzero_static), made to a value (full, fill) or
// reduced to their maxima (amax): fallbacks AOTInductor emits where its own kernels do not
// apply. Output layouts are torch's: the first input's memory format where torch keeps it.

#include <string_view>
#include <vector>

#include "pt2run/tensor.h"

namespace pt2run::cpu {

// torch.cat: inputs of one rank joined along dim, in their promoted dtype; 1-d empty inputs
// are skipped as torch skips them. Channels-last when every input suggests it.
Tensor cat(const std::vector<const Tensor*>& inputs, int64_t dim);

// aten.pad: `pad` holds (before, after) pairs from the last dim backwards. mode "constant"
// (negative pads crop; value defaults to 0), "reflect", "replicate", "circular".
Tensor pad(const Tensor& input, const std::vector<int64_t>& pad, std::string_view mode, const double* value);

// Writes `value` (converted to t's dtype) into every element of t, in place.
void fill(const Tensor& t, double value);

// torch.full: a contiguous tensor of `sizes` holding value.
Tensor full(const std::vector<int64_t>& sizes, double value, DType dtype);

// torch.amax over `dims` (all dims when empty); NaN wins, as in torch.
Tensor amax(const Tensor& input, const std::vector<int64_t>& dims, bool keepdim);

// torch.nonzero_static: int64 [size, dim], the first `size` non-zero indices in row-major
// order, the remaining rows filled with fill_value.
Tensor nonzero_static(const Tensor& input, int64_t size, int64_t fill_value);

}  // namespace pt2run::cpu
