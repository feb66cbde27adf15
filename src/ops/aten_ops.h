#pragma once

namespace pt2run::detail {

// Registration of pt2run's proxy-executor ATen ops, by family (src/ops/aten_*.cpp).
void register_aten_tensor_ops();  // complex, _fft_c2r, bincount, unique, unique_consecutive
void register_aten_math_ops();    // median.dim, linalg_inv_ex, _linalg_check_errors,
                                  // _upsample_bilinear2d_aa, multinomial
void register_aten_view_ops();    // unsqueeze, squeeze.dim, transpose, select, permute, slice,
                                  // expand, view, _unsafe_view, reshape, clone

}  // namespace pt2run::detail
