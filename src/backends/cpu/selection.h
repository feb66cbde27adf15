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

namespace pt2run::cpu {

// torch._unique2 on the flattened input: the distinct values in ascending order, the index of
// each input element's value in them (input's shape; empty unless return_inverse) and how often
// each occurs (empty unless return_counts); indices int64.
struct UniqueResult {
  Tensor values, inverse, counts;
};
UniqueResult unique(const Tensor& input, bool return_inverse, bool return_counts);
// torch.unique_consecutive without dim: collapses runs of equal values of the flattened input.
UniqueResult unique_consecutive(const Tensor& input, bool return_inverse, bool return_counts);

// torch.bincount: counts (int64) or summed weights (float32 for float32 weights, else float64)
// of each value of a 1-D non-negative integer tensor; at least minlength bins.
Tensor bincount(const Tensor& input, const Tensor* weights, int64_t minlength);

// torch.masked_select: the elements where the (broadcast) mask is true, 1-D.
Tensor masked_select(const Tensor& input, const Tensor& mask);

// torch.repeat_interleave(repeats): [0]*repeats[0] + [1]*repeats[1] + ..., int64.
// output_size, when given, must equal the sum of repeats.
Tensor repeat_interleave(const Tensor& repeats, const int64_t* output_size);

}  // namespace pt2run::cpu
