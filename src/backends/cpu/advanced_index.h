#pragma once

// torch's advanced indexing, self[indices] and self[indices] = values: one optional index
// tensor per leading dim of self (absent = the whole dim, as `:`), int64/int32 positions or
// bool/uint8 masks (a mask of k dims stands for the k position tensors of its nonzero()).
// Positions broadcast together; negative ones count from the end; out of range throws.

#include <vector>

#include "pt2run/tensor.h"

namespace pt2run::cpu {

// aten.index.Tensor: the result laid out as torch's (its TensorIterator's order of self's dims).
Tensor index(const Tensor& self, const std::vector<const Tensor*>& indices);

// aten.index_put into `out` (self's shape; out may be self): out = self, then the indexed
// elements set to values (broadcast to the indexed shape), or added to with accumulate.
void index_put(const Tensor& out, const Tensor& self, const std::vector<const Tensor*>& indices,
               const Tensor& values, bool accumulate);

}  // namespace pt2run::cpu
