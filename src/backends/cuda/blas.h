#pragma once

#include "pt2run/tensor.h"

namespace pt2run::cuda {

// out = beta * bias + alpha * (a @ b) on the current stream through cuBLAS: a [m, k] / [B, m, k],
// b [k, n] / [B, k, n], out [m, n] / [B, m, n], bias broadcastable to out (null: none, and
// beta is ignored). float32 runs in full float32 (no TF32, torch's default); float16 and
// bfloat16 accumulate in float32. Operands may be row- or column-major (transposed views are
// read in place); other layouts are copied first. out may also be float32 for float16 or
// bfloat16 a and b (products kept in float32, as attention scores want).
//
// cuBLAS (libcublas.so.13) is loaded on first use; Error(UnsupportedPackage) says how to
// install it when it cannot be found.
void gemm(const Tensor& out, const Tensor* bias, const Tensor& a, const Tensor& b, double beta,
          double alpha);

}  // namespace pt2run::cuda
