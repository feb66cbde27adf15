#pragma once

// torch's view ops on pt2run tensors: new sizes, strides and offset over the same storage
// (reshape copies only when no view can express the result, as torch's does). Device-agnostic;
// each throws Error(InvalidArgument/ShapeMismatch/DTypeMismatch) with torch's condition when
// the arguments do not describe a view.

#include <cstdint>
#include <optional>
#include <vector>

#include "pt2run/tensor.h"

namespace pt2run::detail {

Tensor view_dtype(const Tensor& t, DType to);
Tensor view_as_real(const Tensor& t);
Tensor view_as_complex(const Tensor& t);
Tensor permute(const Tensor& t, const std::vector<int64_t>& dims);
// t[start:end:step] along dim; absent bounds mean the whole dim; negative ones count from the end.
Tensor slice(const Tensor& t, int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end,
             int64_t step);
Tensor narrow(const Tensor& t, int64_t dim, int64_t start, int64_t length);
// Removes dim when its size is 1; otherwise t unchanged (as a new view).
Tensor squeeze_dim(const Tensor& t, int64_t dim);
Tensor unsqueeze(const Tensor& t, int64_t dim);
Tensor transpose(const Tensor& t, int64_t dim0, int64_t dim1);
// t[..., index, ...] along dim (negative counts from the end); one dim fewer.
Tensor select(const Tensor& t, int64_t dim, int64_t index);
// One size may be -1. A view when the strides allow it (c10's computeStride), else a copy.
Tensor reshape(const Tensor& t, std::vector<int64_t> shape);

// dim normalized for a tensor of rank `rank` (a 0-d tensor takes -1 and 0).
int64_t wrap_dim(int64_t dim, int64_t rank, const char* op);

}  // namespace pt2run::detail
