#pragma once

#include <optional>

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
