#pragma once

// torch.fft's primitives (aten::_fft_c2c, _fft_r2c, _fft_c2r) on CUDA tensors through cuFFT,
// computed as torch's CUDA kernels compute them: the same cuFFT transforms (at most three dims
// each, batch dims first in stride order), normalization applied after in the tensor's
// precision, the same output layouts. A model exported for CUDA then gets torch CUDA's numbers.
//
// float32 / complex64 and float64 / complex128 inputs; anything else throws
// Error(NotImplemented) (fft_supports says which). normalization is torch's fft_norm_mode: 0
// none, 1 times 1/sqrt(n), 2 times 1/n, n the points transformed. Work is enqueued on the
// current stream of the input's device. Plans are cached per thread; creating one inside a
// CUDA graph capture throws Error(Internal) (the graph runner then runs the model eagerly).
// cuFFT (libcufft.so.12) is loaded on first use; Error(UnsupportedPackage) says how to install
// it when it cannot be found.

#include <cstdint>
#include <vector>

#include "pt2run/tensor.h"

namespace pt2run::cuda {

// Whether these functions take `dtype` as input.
bool fft_supports(DType dtype);

// Complex-to-complex over `dims`; forward uses exp(-i...), inverse exp(+i...).
Tensor fft_c2c(const Tensor& input, const std::vector<int64_t>& dims, int64_t normalization,
               bool forward);
// Real-to-complex over `dims`; onesided keeps n/2 + 1 points of the last one, else the rest is
// filled by conjugate symmetry.
Tensor fft_r2c(const Tensor& input, const std::vector<int64_t>& dims, int64_t normalization,
               bool onesided);
// Complex-to-real over `dims`: the last one holds last_dim_size/2 + 1 points of a Hermitian
// spectrum of last_dim_size points.
Tensor fft_c2r(const Tensor& input, const std::vector<int64_t>& dims, int64_t normalization,
               int64_t last_dim_size);

}  // namespace pt2run::cuda
