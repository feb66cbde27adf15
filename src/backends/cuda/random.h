#pragma once

// Random ops on CUDA tensors that draw exactly what torch's CUDA kernels draw: after
// pt2run::manual_seed(s), the k-th random call of a process on a device gets the numbers the
// k-th call gets under torch after torch.manual_seed(s) (the same Philox seed and offsets,
// core/philox_state.h; the same kernels, backends/cuda/random_kernels.h).
//
// Each fills `out` in the order torch's TensorIterator visits it (memory order for a dense
// tensor) on the current stream of its device. Errors: Error(DTypeMismatch) for a dtype torch's
// kernel does not take; Error(NotImplemented) inside a CUDA graph capture (a replay would
// repeat the captured draws, where torch's graphs advance them).

#include <cstdint>

#include "pt2run/tensor.h"

namespace pt2run::cuda {

// Tensor.uniform_(from, to) (torch.rand: 0, 1): floating dtypes.
void uniform(const Tensor& out, double from, double to);
// Tensor.normal_(mean, std) (torch.randn: 0, 1): floating dtypes.
void normal(const Tensor& out, double mean, double std);
// Tensor.random_(low, high) (torch.randint): integer, floating and bool dtypes; high > low.
void randint(const Tensor& out, int64_t low, int64_t high);
// Tensor.bernoulli_(p) with a number p in [0, 1].
void bernoulli(const Tensor& out, double p);
// Tensor.exponential_(lambd), lambd > 0: floating dtypes.
void exponential(const Tensor& out, double lambd);

}  // namespace pt2run::cuda
