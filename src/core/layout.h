#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "pt2run/tensor.h"

namespace pt2run::detail {

// t's sizes as a vector (what Tensor::empty and friends take).
inline std::vector<int64_t> sizes_of(const Tensor& t) { return {t.sizes().begin(), t.sizes().end()}; }

// True if the strides lay the elements out without gaps or overlaps in some dim order
// (contiguous, channels-last, any permutation of a dense tensor). torch's clone() keeps
// such layouts.
bool is_non_overlapping_and_dense(std::span<const int64_t> sizes, std::span<const int64_t> strides);

// True if the memory spans of a and b (from their first to their last element) intersect:
// two handles of the same memory need not share a Storage (tensors wrapped from one blob).
bool memory_may_overlap(const Tensor& a, const Tensor& b);

// The shape a and b broadcast to (torch's rules); throws Error(ShapeMismatch) when they do not.
std::vector<int64_t> broadcast_sizes(const Tensor& a, const Tensor& b);

// A 0-d tensor of `dtype` holding value (converted as Tensor::to converts).
Tensor scalar_tensor(double value, DType dtype);

// A view of src broadcast to `sizes` (stride 0 on expanded dims), following torch's
// broadcasting rules; throws Error(ShapeMismatch) when they do not allow it.
Tensor expand_to(const Tensor& src, std::span<const int64_t> sizes);

}  // namespace pt2run::detail

namespace pt2run::detail {

// torch.empty_like(t) (memory_format=preserve): a dense layout keeps its strides; anything
// else gets dense strides in the same dim order (c10's infer_dense_strides). AOTInductor
// assumes exactly these strides for fallback-op outputs.
PT2RUN_PLUGIN_API Tensor empty_like(const Tensor& t, DType dtype);
std::vector<int64_t> infer_dense_strides(std::span<const int64_t> sizes,
                                         std::span<const int64_t> strides);

// torch's suggest_memory_format(t) == channels_last (or channels_last_3d): a 4-d or 5-d
// tensor laid out channels-last and not also plain contiguous.
bool suggests_channels_last(const Tensor& t);
// Channels-last strides for [N, C, *spatial].
PT2RUN_PLUGIN_API std::vector<int64_t> channels_last_strides(std::span<const int64_t> sizes);

}  // namespace pt2run::detail

namespace pt2run::detail {

// The strides torch's TensorIterator gives a new output of `sizes` computed from operands with
// these strides (each already broadcast to `sizes`): the dims ordered as the first operand
// that orders them unambiguously lays them out, the output dense in that order.
std::vector<int64_t> iterator_output_strides(std::span<const int64_t> sizes,
                                             const std::vector<std::span<const int64_t>>& operand_strides);

}  // namespace pt2run::detail
