#pragma once

// Walking every multi-index of a shape in row-major order, for the fallbacks that address
// elements of differently strided tensors by position (scatter, pad, reductions over dims).

#include <cstdint>
#include <span>
#include <vector>

#include "pt2run/tensor.h"

namespace pt2run::cpu {

// Calls f(e, index) for every index of `sizes` in row-major order, e counting from 0.
template <class F>
void for_each_index(std::span<const int64_t> sizes, F f) {
  int64_t n = 1;
  for (int64_t s : sizes) n *= s;
  if (n == 0) return;
  std::vector<int64_t> index(sizes.size(), 0);
  for (int64_t e = 0; e < n; ++e) {
    f(e, static_cast<const std::vector<int64_t>&>(index));
    for (std::size_t d = sizes.size(); d-- > 0;) {
      if (++index[d] < sizes[d]) break;
      index[d] = 0;
    }
  }
}

// The element offset of `index` in t (its strides).
inline int64_t offset_of(const Tensor& t, const std::vector<int64_t>& index) {
  int64_t off = 0;
  for (std::size_t d = 0; d < index.size(); ++d) off += index[d] * t.stride(static_cast<int64_t>(d));
  return off;
}

}  // namespace pt2run::cpu
