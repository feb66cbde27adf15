#pragma once

#include <optional>
#include <string_view>

#include "pt2run/tensor.h"

namespace pt2run::cpu {

// torch's _embedding_bag forward: bags of rows of `weight` [V, D] picked by 1-D `indices`,
// bag b spanning indices[offsets[b] : offsets[b + 1]] (include_last_offset: offsets carries the
// end of the last bag too). mode 0 sums (times per_sample_weights if given), 1 averages,
// 2 takes the max; rows equal to padding_idx (when >= 0) are skipped; an empty bag is zeros.
struct EmbeddingBagResult {
  Tensor output;       // [B, D], weight's dtype
  Tensor offset2bag;   // [indices]: the bag of each index; [0] on torch's sum fast path
  Tensor bag_size;     // [B]: rows counted in each bag (mean, max); zeros for sum
  Tensor max_indices;  // max: [B, D] row chosen per element; mean: bag_size; sum: [B] zeros
};
EmbeddingBagResult embedding_bag(const Tensor& weight, const Tensor& indices, const Tensor& offsets,
                                 int64_t mode, const Tensor* per_sample_weights,
                                 bool include_last_offset, int64_t padding_idx);

// torch.Tensor.scatter_reduce(dim, index, src, reduce, include_self) into `out` (self's shape;
// out may be self). reduce: "sum", "prod", "mean", "amax", "amin".
void scatter_reduce(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index,
                    const Tensor& src, std::string_view reduce, bool include_self);

// torch.segment_reduce over `axis` with 1-D lengths or offsets (exactly one given); reduce:
// "sum", "mean", "max", "min", "prod". Empty segments take `initial`, else sum 0, prod 1,
// max -inf, min inf, mean NaN.
Tensor segment_reduce(const Tensor& data, std::string_view reduce, const Tensor* lengths,
                      const Tensor* offsets, int64_t axis, std::optional<double> initial);

}  // namespace pt2run::cpu
