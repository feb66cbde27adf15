#pragma once

#include "pt2run/tensor.h"

namespace pt2run::detail {

// dst[i] = convert(src[i]) for every index; sizes must be equal, both tensors on the CPU.
// Conversions follow torch: float -> int truncates toward zero, anything -> bool is != 0,
// complex -> real takes the real part. Overlapping dst and src give unspecified results,
// as in torch.
PT2RUN_PLUGIN_API void copy_elements(const Tensor& dst, const Tensor& src);

// Calls fn(offset_a, offset_b) (in elements) for every index of `sizes`, walking two
// strided layouts together in row-major order.
template <class Fn>
void for_each_offset_pair(std::span<const int64_t> sizes, std::span<const int64_t> strides_a,
                          std::span<const int64_t> strides_b, Fn&& fn);

}  // namespace pt2run::detail

#include <vector>

namespace pt2run::detail {

template <class Fn>
void for_each_offset_pair(std::span<const int64_t> sizes, std::span<const int64_t> strides_a,
                          std::span<const int64_t> strides_b, Fn&& fn) {
  const std::size_t ndim = sizes.size();
  for (int64_t s : sizes)
    if (s == 0) return;
  if (ndim == 0) {
    fn(int64_t{0}, int64_t{0});
    return;
  }
  std::vector<int64_t> index(ndim, 0);
  const int64_t inner = sizes[ndim - 1];
  const int64_t inner_a = strides_a[ndim - 1];
  const int64_t inner_b = strides_b[ndim - 1];
  int64_t base_a = 0;
  int64_t base_b = 0;
  while (true) {
    for (int64_t i = 0; i < inner; ++i) fn(base_a + i * inner_a, base_b + i * inner_b);
    // Advance the odometer over the outer dims.
    std::size_t d = ndim - 1;
    while (true) {
      if (d == 0) return;
      --d;
      if (++index[d] < sizes[d]) {
        base_a += strides_a[d];
        base_b += strides_b[d];
        break;
      }
      base_a -= strides_a[d] * (sizes[d] - 1);
      base_b -= strides_b[d] * (sizes[d] - 1);
      index[d] = 0;
    }
  }
}

}  // namespace pt2run::detail
