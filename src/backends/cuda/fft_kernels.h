#pragma once

// The elementwise steps around cuFFT's transforms (backends/cuda/fft.cpp).

#include <cuda_runtime_api.h>

#include <cstdint>

namespace pt2run::cuda {

constexpr int kMaxFftDims = 12;

// data[i] *= scale for `count` floats (doubles with f64), the scale rounded to the data's
// precision first: what torch's out.mul_(scale) computes on each real component.
void launch_fft_scale(void* data, int64_t count, bool f64, double scale, cudaStream_t stream);

// A contiguous complex tensor whose `last` dim holds its first sizes[last]/2 + 1 points: the
// rest of that dim is filled with the conjugates of their mirror images, mirrored (index i to
// (size - i) % size) in every dim marked (torch's _fft_fill_with_conjugate_symmetry_).
struct HermitianFill {
  int dims = 0;
  int last = 0;
  int64_t sizes[kMaxFftDims] = {};
  bool mirrored[kMaxFftDims] = {};
};
void launch_hermitian_fill(void* data, bool f64, const HermitianFill& shape, cudaStream_t stream);

}  // namespace pt2run::cuda
