#pragma once

#include <vector>

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

namespace pt2run::cpu {

// torch.histogramdd with bin counts (histogram.bin_ct is its 1-d case): samples are the rows of
// input viewed as [-1, D], D = bins.size(). Edges per dim: linspace over `range` (2 * D values,
// min and max per dim) or the data's extent (widened by 0.5 each way when it is one value; [0, 1]
// for no data), computed in the input's precision as torch computes them. Samples outside the
// edges (or NaN) are skipped; the last edge is inclusive. weight: one per sample; density
// divides by the total and the bin volume. Floating input; results in its dtype.
struct HistogramResult {
  Tensor hist;
  std::vector<Tensor> edges;
};
HistogramResult histogramdd(const Tensor& input, const std::vector<int64_t>& bins, const std::vector<double>* range,
                            const Tensor* weight, bool density);

}  // namespace pt2run::cpu
