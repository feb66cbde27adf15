#pragma once

#include "pt2run/tensor.h"

namespace pt2run::cpu {

// torch._int_mm: int8 [m, k] @ int8 [k, n] -> int32 [m, n], exact (int32 accumulation).
void int_mm(const Tensor& out, const Tensor& a, const Tensor& b);

// torch._weight_int8pack_mm: x [m, k] (float32 / float16 / bfloat16) @ (w int8 [n, k] * scales [n]).T
// -> [m, n] in x's dtype; computed in float32 as torch's CPU kernel.
Tensor weight_int8pack_mm(const Tensor& x, const Tensor& w, const Tensor& scales);

// torch._cdist_forward: p-norm distances between the rows of x1 [..., P, M] and x2 [..., R, M]
// -> [..., P, R]; p = 0 counts differing coordinates, p = inf takes the largest. Batch dims must
// match.
Tensor cdist(const Tensor& x1, const Tensor& x2, double p);
// torch._pdist_forward: the distances between the rows of x [N, M], pairs (i, j > i) in
// row-major order -> [N * (N - 1) / 2].
Tensor pdist(const Tensor& x, double p);

// torch.linalg.inv_ex on square matrices [..., n, n] through LAPACK getrf/getri (OpenBLAS):
// (inverse laid out column-major per matrix as torch returns it, int32 info per matrix: 0, or
// k > 0 when U(k, k) is exactly zero).
struct InverseResult {
  Tensor inverse, info;
};
InverseResult inverse(const Tensor& a);

}  // namespace pt2run::cpu
