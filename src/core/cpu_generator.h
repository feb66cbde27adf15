#pragma once

// The process's CPU random generator, as torch's CPUGeneratorImpl: std::mt19937 seeded with the
// low 32 bits of the seed (at::mt19937 initializes its state exactly as the standard engine
// does), and the draws torch's CPU kernels build on. pt2run::manual_seed (pt2run/random.h)
// seeds it and every device's Philox counters (core/philox_state.h).
//
// Thread safety: hold `mutex` for every draw.

#include <cmath>
#include <cstdint>
#include <mutex>
#include <numbers>
#include <optional>
#include <random>

#include "core/philox_state.h"

namespace pt2run::detail {

struct CpuGenerator {
  std::mutex mutex;
  uint64_t seed = kDefaultSeed;
  std::mt19937 engine{static_cast<uint32_t>(kDefaultSeed)};

  // Box-Muller's second value, kept for the next scalar draw as torch's generator keeps it;
  // a new seed drops it.
  std::optional<double> next_double_normal;

  uint32_t random() { return static_cast<uint32_t>(engine()); }
  uint64_t random64() {  // at::CPUGeneratorImpl::random64: first draw is the high half
    const uint64_t hi = random(), lo = random();
    return (hi << 32) | lo;
  }
  double uniform() { return static_cast<double>(random64() >> 11) * 0x1.0p-53; }  // [0, 1)
  // at::uniform_real_distribution<T>(0, 1): the low `digits` bits of one draw (a 64-bit draw
  // for double), scaled to [0, 1).
  double uniform_real(int digits) {
    if (digits == 53) return static_cast<double>(random64() & ((1ULL << 53) - 1)) * 0x1.0p-53;
    const uint32_t bits = random() & ((1U << digits) - 1);
    return static_cast<float>(bits) * std::ldexp(1.0f, -digits);
  }
  // at::normal_distribution<double>: Box-Muller on two doubles, the sine half cached.
  double normal_double() {
    if (next_double_normal) {
      const double v = *next_double_normal;
      next_double_normal.reset();
      return v;
    }
    const double u1 = uniform_real(53), u2 = uniform_real(53);
    const double r = std::sqrt(-2.0 * std::log1p(-u2));
    const double theta = 2.0 * std::numbers::pi * u1;
    next_double_normal = r * std::sin(theta);
    return r * std::cos(theta);
  }
};

// The one generator of the process.
CpuGenerator& cpu_generator();

}  // namespace pt2run::detail
