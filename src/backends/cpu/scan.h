#pragma once

#include <optional>
#include <utility>

#include "pt2run/tensor.h"

namespace pt2run::cpu {

// Cumulative operations along one dimension, with torch's semantics: the result has the input's
// sizes, contiguous; float types accumulate in double (torch's CPU accumulation type), integer
// and bool inputs in int64.
enum class ScanOp { Sum, Prod, LogSumExp };

// dtype: the result's dtype (torch's `dtype=` argument); default: the input's, except that
// sum and prod of integer or bool inputs give int64. logsumexp needs a floating input.
Tensor cumulative(const Tensor& input, int64_t dim, ScanOp op, std::optional<DType> dtype);

}  // namespace pt2run::cpu

namespace pt2run::cpu {

// torch.cummax / torch.cummin along `dim`: (running extreme in the input's dtype, int64 index
// where it was found). Ties take the later index and NaN propagates, as torch's CPU kernel.
std::pair<Tensor, Tensor> cumulative_extreme(const Tensor& input, int64_t dim, bool max);

}  // namespace pt2run::cpu
