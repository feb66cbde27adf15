#pragma once

#include "pt2run/tensor.h"

namespace pt2run::cpu {

// out = beta * bias + alpha * (a @ b), torch's addmm (bias == nullptr: mm). a [m, k],
// b [k, n], out [m, n]; bias broadcastable to [m, n]; any strides. With beta == 0 the bias is
// not read (NaNs in it do not propagate), as in torch.
// float32/float64 run on OpenBLAS; float16/bfloat16 accumulate in float32 and round once;
// integer types accumulate in int64. Throws Error on shape, dtype or device mismatches.
void addmm(const Tensor& out, const Tensor* bias, const Tensor& a, const Tensor& b, double beta,
           double alpha);

// The batched form (torch's baddbmm / bmm): a [B, m, k], b [B, k, n], out [B, m, n], bias
// broadcastable to out.
void baddbmm(const Tensor& out, const Tensor* bias, const Tensor& a, const Tensor& b, double beta,
             double alpha);

}  // namespace pt2run::cpu

namespace pt2run::cpu {

// torch.addmv: beta * bias + alpha * (mat [n, m] @ vec [m]) -> [n], mat's dtype.
Tensor addmv(const Tensor& bias, const Tensor& mat, const Tensor& vec, double beta, double alpha);
// torch.addbmm: beta * bias + alpha * sum_b(batch1[b] @ batch2[b]) -> [n, p], batch1's dtype.
Tensor addbmm(const Tensor& bias, const Tensor& batch1, const Tensor& batch2, double beta,
              double alpha);
// torch._addmm_activation: addmm followed by ReLU, or by exact (erf) GELU with use_gelu — what
// torch's CPU kernel applies (its CUDA epilogue uses the tanh approximation instead).
Tensor addmm_activation(const Tensor& bias, const Tensor& a, const Tensor& b, double beta,
                        double alpha, bool use_gelu);

}  // namespace pt2run::cpu
