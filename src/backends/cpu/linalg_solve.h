#pragma once

// Factorization-based linear algebra AOTInductor leaves to fallbacks, through LAPACK (from
// OpenBLAS) in double precision; results in the input's dtype. Batch dims broadcast; every
// matrix result is column-major within its batch (strides [..., 1, rows]) as torch's LAPACK
// path returns it, except lu_unpack's (contiguous, as torch builds them).

#include <utility>

#include "pt2run/tensor.h"

namespace pt2run::cpu {

// torch.linalg.cholesky_ex(A [..., n, n], upper): (L with A = L L^H (U^H U with upper), int32
// info per matrix: 0, or k > 0 when the leading minor of order k is not positive definite).
// Only the lower (upper) triangle of A is read; the other triangle of the result is zero.
struct CholeskyResult {
  Tensor factor, info;
};
CholeskyResult cholesky_ex(const Tensor& a, bool upper);

// torch.cholesky_solve(B [..., n, k], L [..., n, n], upper): X with (L L^H) X = B (U^H U with upper).
Tensor cholesky_solve(const Tensor& b, const Tensor& factor, bool upper);
// torch.cholesky_inverse(L [..., n, n], upper): (L L^H)^-1.
Tensor cholesky_inverse(const Tensor& factor, bool upper);
// torch.triangular_solve(B, A, upper, transpose, unitriangular): (X with op(A) X = B, a copy of A).
std::pair<Tensor, Tensor> triangular_solve(const Tensor& b, const Tensor& a, bool upper, bool transpose,
                                           bool unitriangular);
// torch.geqrf(A [..., m, n]): LAPACK's compact QR (the reflectors below R) and tau [..., min(m, n)].
std::pair<Tensor, Tensor> geqrf(const Tensor& a);
// torch.ormqr(A, tau, C, left, transpose): Q C, C Q, Q^T C or C Q^T with Q from geqrf's output.
Tensor ormqr(const Tensor& a, const Tensor& tau, const Tensor& c, bool left, bool transpose);

// torch.lu_unpack(LU [..., m, n], pivots int32 [..., min(m, n)]): (P [..., m, m], L [..., m, k],
// U [..., k, n]), k = min(m, n); a part not asked for is an empty [0] tensor.
struct LuUnpacked {
  Tensor p, l, u;
};
LuUnpacked lu_unpack(const Tensor& lu, const Tensor& pivots, bool unpack_data, bool unpack_pivots);

}  // namespace pt2run::cpu
