#pragma once

// torch's CUDA random kernels, draw for draw: curand's Philox4x32-10 (its device API), one
// state per thread of a grid-stride loop, torch's grid, and torch's transforms
// (ATen's DistributionTemplates.h). backends/cuda/random.h picks the grid and the counters.

#include <cuda_runtime_api.h>

#include <cstdint>

namespace pt2run::cuda {

enum class Draw {
  uniform,      // a + (b - a) * u, u in (0, 1], b folded back to a
  normal,       // z * b + a
  int_range,    // base + draw % range: 32-bit draws below 2^28, 64-bit ones from there
  bernoulli,    // u < a
  exponential,  // -1 / a * log(u), log(u) near 1 held at -eps / 2
};

enum class RandomOut { f32, f64, f16, bf16, i64, i32, i16, i8, u8, b8 };

struct RandomLaunch {
  Draw draw = Draw::uniform;
  RandomOut out_type = RandomOut::f32;
  void* out = nullptr;  // numel elements, in the order torch's TensorIterator visits them
  int64_t numel = 0;
  uint64_t seed = 0;
  uint64_t offset = 0;
  unsigned grid = 1;  // blocks of kRandomBlock threads
  double a = 0, b = 0;
  uint64_t range = 0;
  int64_t base = 0;
};

constexpr unsigned kRandomBlock = 256;

// The values one thread takes from each Philox call: 2 for float64 results of uniform-based
// and normal draws and for 64-bit integer draws, 4 otherwise (torch's unroll factor).
int random_unroll(Draw draw, RandomOut out_type, uint64_t range);

void launch_random(const RandomLaunch& launch, cudaStream_t stream);

}  // namespace pt2run::cuda
