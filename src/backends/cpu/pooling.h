#pragma once

// Pooling over the last 2 or 3 dims of [N, C, *spatial] or [C, *spatial], as torch's CPU
// kernels compute it: window arithmetic, ceil_mode, padding, NaN propagation and the flat
// spatial indices of the maxima. Computed in double; results in the input's dtype, laid out as
// torch lays out each op's output (channels-last input stays channels-last where torch's
// kernel keeps it).

#include <vector>

#include "pt2run/tensor.h"

namespace pt2run::cpu {

struct PoolWindow {
  std::vector<int64_t> kernel, stride, padding, dilation;  // one entry per spatial dim
  bool ceil_mode = false;
};

struct PoolResult {
  Tensor values, indices;  // indices int64, flat within each spatial plane
};

// max_pool{2,3}d_with_indices.
PoolResult max_pool(const Tensor& input, int64_t spatial_dims, const PoolWindow& window);
// avg_pool{2,3}d; divisor_override replaces the element count when given.
Tensor avg_pool(const Tensor& input, int64_t spatial_dims, const PoolWindow& window, bool count_include_pad,
                const int64_t* divisor_override);
// _adaptive_avg_pool{2,3}d and adaptive_max_pool{2,3}d: window i spans
// [floor(i * in / out), ceil((i + 1) * in / out)).
Tensor adaptive_avg_pool(const Tensor& input, const std::vector<int64_t>& output_size);
PoolResult adaptive_max_pool(const Tensor& input, const std::vector<int64_t>& output_size);
// fractional_max_pool{2,3}d with the caller's random_samples [N, C, spatial_dims] in [0, 1).
PoolResult fractional_max_pool(const Tensor& input, const std::vector<int64_t>& kernel,
                               const std::vector<int64_t>& output_size, const Tensor& random_samples);
// max_unpool{2,3}d: zeros of output_size with each value put at its flat index.
Tensor max_unpool(const Tensor& input, const Tensor& indices, const std::vector<int64_t>& output_size);

// Expands an int list of 1 or `dims` entries (torch's _pair / _triple); empty gives `fallback`.
std::vector<int64_t> pool_param(const std::vector<int64_t>& values, int64_t dims, const char* name, const char* op,
                                const std::vector<int64_t>& fallback = {});

}  // namespace pt2run::cpu
