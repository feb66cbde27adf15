#pragma once

// GEMMs with a twist that AOTInductor leaves to fallbacks: grouped (mixture-of-experts style)
// and float8 with scales. Computed in double from the operands' values (torch accumulates in
// float32: results agree to float32 rounding), rounded once to the result dtype.

#include <optional>

#include "pt2run/tensor.h"

namespace pt2run::cpu {

// torch._grouped_mm(mat_a, mat_b, offs): 2d x 3d (rows of a split by offs, group g times
// b[g]), 3d x 3d (batched), 2d x 2d (the shared K dim split by offs; [G, M, N]), 3d x 2d
// (columns of b split by offs). offs holds the int32 end of each group. Output dtype is a's;
// a bias is refused, as torch's CPU kernel refuses it.
Tensor grouped_mm(const Tensor& a, const Tensor& b, const Tensor* offs, std::optional<DType> out_dtype);

// torch._scaled_mm on the CPU: (a * scale_a) @ (b * scale_b) + bias with float8 a and b,
// scales one value or per row of a ([M, 1]) and per column of b ([1, N]). scale_result is
// accepted and unused, as torch's CPU kernel leaves it. out_dtype defaults to a's dtype.
Tensor scaled_mm(const Tensor& a, const Tensor& b, const Tensor& scale_a, const Tensor& scale_b, const Tensor* bias,
                 const Tensor* scale_result, std::optional<DType> out_dtype);

}  // namespace pt2run::cpu
