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

// How accumulate=True sums the values that land on one element. Duplicates round differently
// in each order, and a model's outputs are compared with torch's on the device it ran on.
enum class AccumulateOrder {
  // torch's CPU kernel: each value added in turn (values' row-major order), each sum rounded
  // to the tensor's type.
  sequential,
  // torch's CUDA kernel (a stable sort by destination, then indexing_backward's three ways):
  // with one element per index (nothing after the indexed dims), 32 lanes each sum every
  // 32nd duplicate, a shuffle tree adds the lanes and the leftovers follow; with up to 32
  // elements per index, the duplicates are summed from zero; both sums are in the op type
  // (float for half types) and added to the element once. With more, as `sequential`.
  cuda_sorted,
};

// aten.index_put into `out` (self's shape; out may be self): out = self, then the indexed
// elements set to values (broadcast to the indexed shape), or added to with accumulate.
void index_put(const Tensor& out, const Tensor& self, const std::vector<const Tensor*>& indices,
               const Tensor& values, bool accumulate,
               AccumulateOrder order = AccumulateOrder::sequential);

}  // namespace pt2run::cpu
