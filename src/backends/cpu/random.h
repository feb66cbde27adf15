#pragma once

#include <cstdint>
#include <vector>

#include "pt2run/tensor.h"

namespace pt2run::cpu {

// torch.randint(low, high) into `out` (any integer or floating dtype) from the process
// generator, drawing exactly as torch's CPU kernel: values below 2^32 apart take one 32-bit
// draw, wider ranges one 64-bit draw, value = low + draw % (high - low).
void randint(const Tensor& out, int64_t low, int64_t high);

// Tensor.normal_(mean, std) into `out` (float64/32/16, bfloat16) from the process generator,
// drawing exactly as torch's CPU kernel, so a seeded package matches libtorch's numbers.
void normal(const Tensor& out, double mean, double std);

// Tensor.uniform_(from, to) into `out` (floating dtypes), drawing exactly as torch's CPU kernel:
// one draw per element in order (torch.rand is uniform_(0, 1)).
void uniform(const Tensor& out, double from, double to);

// torch.randperm(n) into the 1-D `out` (any numeric dtype), torch's CPU shuffle.
void randperm(const Tensor& out);

// torch.multinomial on probabilities [n] or [rows, n]: num_samples int64 category indices per
// row, with or without replacement. Distributionally as torch; the draws differ from torch's.
Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement);

}  // namespace pt2run::cpu
