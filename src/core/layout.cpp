#include "core/layout.h"

#include <algorithm>

#include "core/check.h"

namespace pt2run::detail {

bool is_non_overlapping_and_dense(std::span<const int64_t> sizes, std::span<const int64_t> strides) {
  // Dims of size 1 may carry any stride; the others, sorted by stride, must tile densely.
  std::vector<std::size_t> dims;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == 0) return true;
    if (sizes[i] > 1) dims.push_back(i);
  }
  std::stable_sort(dims.begin(), dims.end(),
                   [&](std::size_t a, std::size_t b) { return strides[a] < strides[b]; });
  int64_t expected = 1;
  for (std::size_t i : dims) {
    if (strides[i] != expected) return false;
    expected *= sizes[i];
  }
  return true;
}

Tensor expand_to(const Tensor& src, std::span<const int64_t> sizes) {
  const std::size_t n = sizes.size();
  const std::size_t m = static_cast<std::size_t>(src.dim());
  PT2RUN_CHECK(m <= n, ShapeMismatch, "cannot broadcast ", src.describe(), " to ", n, " dims");
  std::vector<int64_t> out_sizes(sizes.begin(), sizes.end());
  std::vector<int64_t> out_strides(n, 0);
  for (std::size_t i = 0; i < m; ++i) {
    std::size_t d = n - m + i;
    int64_t s = src.sizes()[i];
    if (s == sizes[d]) {
      out_strides[d] = src.strides()[i];
    } else {
      PT2RUN_CHECK(s == 1, ShapeMismatch, "cannot broadcast ", src.describe(), " to size ",
                   sizes[d], " at dim ", d);
    }
  }
  return src.as_strided(out_sizes, out_strides, src.storage_offset());
}

}  // namespace pt2run::detail

namespace pt2run::detail {

Tensor empty_like(const Tensor& t, DType dtype) {
  std::vector<int64_t> sizes(t.sizes().begin(), t.sizes().end());
  if (is_non_overlapping_and_dense(t.sizes(), t.strides()))
    return Tensor::empty_strided(sizes, std::vector<int64_t>(t.strides().begin(), t.strides().end()),
                                 dtype, t.device());
  return Tensor::empty(sizes, dtype, t.device());
}

}  // namespace pt2run::detail
