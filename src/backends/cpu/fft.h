#pragma once

#include <cstdint>
#include <vector>

#include "pt2run/tensor.h"

namespace pt2run::cpu {

// The FFT primitives torch.fft lowers to (aten::_fft_c2c, _fft_r2c, _fft_c2r), on kissfft's
// mixed-radix transform in double precision. normalization is torch's fft_norm_mode: 0 none,
// 1 divide by sqrt(n), 2 divide by n, where n is the number of points transformed.
// Results are contiguous; complex64 for float32 / complex64 inputs, complex128 otherwise.

// Complex-to-complex over `dims`; forward uses exp(-i...), inverse exp(+i...).
Tensor fft_c2c(const Tensor& input, const std::vector<int64_t>& dims, int64_t normalization,
               bool forward);
// Real-to-complex (forward) over `dims`; onesided keeps n/2 + 1 points of the last dim.
Tensor fft_r2c(const Tensor& input, const std::vector<int64_t>& dims, int64_t normalization,
               bool onesided);
// Complex-to-real (inverse) over `dims`; the input's last dim holds the first
// last_dim_size/2 + 1 points of a Hermitian spectrum of last_dim_size points.
Tensor fft_c2r(const Tensor& input, const std::vector<int64_t>& dims, int64_t normalization,
               int64_t last_dim_size);

// Elementwise |z| of a complex tensor (float32 for complex64, float64 for complex128).
Tensor complex_abs(const Tensor& input);
// torch.complex(real, imag) for same-shape float32 / float64 tensors.
Tensor make_complex(const Tensor& real, const Tensor& imag);

}  // namespace pt2run::cpu
