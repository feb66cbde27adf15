#pragma once

#include "pt2run/tensor.h"

namespace pt2run::cpu {

// torch.nonzero: int64 [count, dim] of the indices of non-zero elements, in row-major order
// of the elements; the result is column-major (strides [1, count]), as torch's CPU kernel
// returns it and AOTInductor asserts.
// Its first size depends on the data (AOTInductor reads it back as an unbacked size).
Tensor nonzero(const Tensor& input);

// torch.histc: `bins` equal-width bins over [min, max] (the data's range when min == max);
// values outside are ignored, max falls in the last bin. Floating-point input; result in the
// input's dtype.
Tensor histc(const Tensor& input, int64_t bins, double min, double max);

}  // namespace pt2run::cpu
