#pragma once

// Writing values into a copy of a tensor at positions an index or mask chooses: torch's
// scatter (assignment, last write wins as in torch's sequential CPU kernel), masked_scatter and
// index_reduce. index_reduce keeps self's layout (torch clones self with preserve_format);
// masked_scatter's result is contiguous, as torch's.

#include <string_view>

#include "pt2run/tensor.h"

namespace pt2run::cpu {

// out = self with out[..., index[i...], ...] = src[i...] along dim; src may be a 0-d tensor
// (scatter.value). out may be self. Element bytes are copied: exact for every dtype.
void scatter(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);

// torch.masked_scatter: self and mask broadcast together; where the mask is true the next
// element of source (row-major) goes in.
Tensor masked_scatter(const Tensor& self, const Tensor& mask, const Tensor& source);

// torch.index_reduce: reduce "prod", "mean", "amax" or "amin" of source's slices i along dim
// into self's slices index[i]; without include_self the reduced slices start from the identity.
Tensor index_reduce(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                    std::string_view reduce, bool include_self);

}  // namespace pt2run::cpu
