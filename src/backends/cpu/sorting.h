#pragma once

#include <optional>
#include <string>
#include <utility>

#include "pt2run/tensor.h"

namespace pt2run::cpu {

// torch.sort along `dim`: (values, int64 indices) laid out as the input. NaN sorts above every number,
// as in torch; equal elements keep their order (stable).
std::pair<Tensor, Tensor> sort(const Tensor& input, int64_t dim, bool descending);

// torch.topk: the k largest (or smallest) along `dim`, in order when `sorted` (pt2run always
// returns them in order, which `sorted=False` allows).
std::pair<Tensor, Tensor> topk(const Tensor& input, int64_t k, int64_t dim, bool largest);

// torch.searchsorted: for each value, the index in the innermost dimension of
// `sorted_sequence` (1-d, or matching `values` in every leading dimension) where it would be
// inserted; `right` (or side == "right") takes the last such position. `sorter` holds the
// order of an unsorted sequence. int64 indices, or int32 with out_int32.
Tensor searchsorted(const Tensor& sorted_sequence, const Tensor& values, bool out_int32, bool right,
                    const Tensor* sorter);

}  // namespace pt2run::cpu

namespace pt2run::cpu {

// torch.kthvalue: the k-th smallest (1-based) along `dim` and its int64 index; NaN counts as
// the largest value. keepdim keeps `dim` with size 1.
std::pair<Tensor, Tensor> kthvalue(const Tensor& input, int64_t k, int64_t dim, bool keepdim);
// torch.median(dim): the lower median ((n - 1) / 2-th smallest), or NaN where the line holds one.
std::pair<Tensor, Tensor> median(const Tensor& input, int64_t dim, bool keepdim);

}  // namespace pt2run::cpu

namespace pt2run::cpu {

// torch.median() of all elements: the lower median, NaN when any element is NaN or none exist.
Tensor median_all(const Tensor& input);
// torch.nanmedian(): the lower median of the non-NaN elements; NaN when there are none.
Tensor nanmedian_all(const Tensor& input);
// torch.mode(dim): the most frequent value of each line (the smallest among equally frequent
// ones) and an index where it occurs: the one torch's CPU kernel reports, found the same way.
std::pair<Tensor, Tensor> mode(const Tensor& input, int64_t dim, bool keepdim);

}  // namespace pt2run::cpu
