#pragma once

#include <cstdint>

#include "pt2run/export.h"

namespace pt2run {

// The process-wide random generator behind the random ops models call (the seeds AOTInductor
// draws for dropout, rand, randn, bernoulli, ... and multinomial). It is the same Mersenne
// Twister torch's CPU generator uses, seeded the same way, so after manual_seed(s) a package
// draws the seeds it would draw under libtorch after torch.manual_seed(s) — and its random
// kernels, compiled into the package, produce the same numbers. It also seeds every CUDA
// device as torch.manual_seed does (each device's Philox offset back to 0), so CUDA random ops
// draw what torch's draw. Like torch, a fresh process starts from seed 67280421310721.
//
// Thread safety: the generator is locked per draw; concurrent runs draw in an unspecified order.
PT2RUN_API void manual_seed(uint64_t seed);
// The seed last set (or the default).
PT2RUN_API uint64_t initial_seed();

}  // namespace pt2run
