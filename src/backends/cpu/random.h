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

// Tensor.bernoulli_(p) with a number p into `out` (any numeric or bool dtype): 1 where a uniform
// double draw is below p, as torch's default CPU kernel draws (one 64-bit draw per element,
// in memory order).
void bernoulli(const Tensor& out, double p);
// Tensor.bernoulli_(p) with a tensor of probabilities broadcast to out: one float draw each.
void bernoulli(const Tensor& out, const Tensor& p);
// Tensor.exponential_(lambd) into `out` (floating dtypes): -log1p(-u) / lambd for a uniform
// double u, as torch's default CPU kernel draws.
void exponential(const Tensor& out, double lambd);

// torch.randperm(n) into the 1-D `out` (any numeric dtype), torch's CPU shuffle.
void randperm(const Tensor& out);

// torch.multinomial on probabilities [n] or [rows, n]: num_samples int64 category indices per
// row, with or without replacement. Distributionally as torch; the draws differ from torch's.
Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement);

}  // namespace pt2run::cpu
