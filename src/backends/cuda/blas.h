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

// torch's _weight_int4pack_mm on CUDA: a [m, k] bfloat16 (contiguous) times the transpose of
// an int4 weight packed by CUDA's _convert_weight_to_int4pack (int32 [n/8][k/(t*16)][32][t/2],
// t = 2, 4 or 8) with qScaleAndZeros (bfloat16 [k/group][n][2], group 32, 64, 128 or 256):
// returns [m, n] bfloat16. The weight is dequantized as tinygemm does (bfloat16 fma of q - 8,
// the scale and the zero), then multiplied on cuBLAS with float32 accumulation. Throws
// Error(ShapeMismatch / DTypeMismatch / InvalidArgument) for operands torch would refuse.
Tensor weight_int4pack_mm(const Tensor& a, const Tensor& packed, int64_t group, const Tensor& scales_and_zeros);

}  // namespace pt2run::cuda
