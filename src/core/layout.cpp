#include "core/layout.h"

#include <algorithm>
#include <cstddef>
#include <utility>

#include "core/check.h"

namespace pt2run::detail {

std::vector<int64_t> broadcast_sizes(const Tensor& a, const Tensor& b) {
  const int64_t rank = std::max(a.dim(), b.dim());
  std::vector<int64_t> sizes(static_cast<std::size_t>(rank));
  for (int64_t i = 0; i < rank; ++i) {
    const int64_t da = i - (rank - a.dim()), db = i - (rank - b.dim());
    const int64_t sa = da >= 0 ? a.size(da) : 1, sb = db >= 0 ? b.size(db) : 1;
    PT2RUN_CHECK(sa == sb || sa == 1 || sb == 1, ShapeMismatch, "cannot broadcast ", a.describe(), " with ",
                 b.describe());
    sizes[static_cast<std::size_t>(i)] = sa == 1 ? sb : sa;
  }
  return sizes;
}

Tensor scalar_tensor(double value, DType dtype) {
  Tensor t = Tensor::empty({}, DType::Float64);
  t.data<double>()[0] = value;
  return t.to(dtype);
}


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

bool memory_may_overlap(const Tensor& a, const Tensor& b) {
  if (!a.defined() || !b.defined() || a.numel() == 0 || b.numel() == 0) return false;
  if (a.device() != b.device()) return false;
  auto span = [](const Tensor& t) {
    // Strides are never negative here (as in torch), so the first element is the lowest.
    int64_t last = 0;
    for (int64_t d = 0; d < t.dim(); ++d) last += (t.sizes()[d] - 1) * t.strides()[d];
    const auto* begin = static_cast<const std::byte*>(t.data_ptr());
    return std::pair{begin, begin + (last + 1) * static_cast<int64_t>(t.element_size())};
  };
  const auto [a0, a1] = span(a);
  const auto [b0, b1] = span(b);
  return a0 < b1 && b0 < a1;
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

std::vector<int64_t> infer_dense_strides(std::span<const int64_t> sizes,
                                         std::span<const int64_t> strides) {
  // c10's rule: order dims from innermost by stride (ties: the larger size is outer), keeping
  // the original order where strides are 0 or equal with equal sizes; then lay out densely.
  const std::size_t n = sizes.size();
  std::vector<std::size_t> perm(n);
  for (std::size_t i = 0; i < n; ++i) perm[i] = n - 1 - i;
  auto should_swap = [&](std::size_t a, std::size_t b) {
    if (strides[a] == 0 || strides[b] == 0) return 0;
    if (strides[a] < strides[b]) return -1;
    if (strides[a] > strides[b]) return 1;
    return sizes[a] > sizes[b] ? 1 : 0;
  };
  for (std::size_t i = 1; i < n; ++i) {
    for (std::size_t j = i; j > 0; --j) {
      int c = should_swap(perm[j - 1], perm[j]);
      if (c > 0) std::swap(perm[j - 1], perm[j]);
      else if (c < 0) break;
    }
  }
  std::vector<int64_t> out(n);
  int64_t next = 1;
  for (std::size_t d : perm) {
    out[d] = next;
    next *= std::max<int64_t>(sizes[d], 1);
  }
  return out;
}

Tensor empty_like(const Tensor& t, DType dtype) {
  std::vector<int64_t> sizes(t.sizes().begin(), t.sizes().end());
  if (is_non_overlapping_and_dense(t.sizes(), t.strides()))
    return Tensor::empty_strided(sizes, std::vector<int64_t>(t.strides().begin(), t.strides().end()),
                                 dtype, t.device());
  return Tensor::empty_strided(sizes, infer_dense_strides(t.sizes(), t.strides()), dtype,
                               t.device());
}

bool suggests_channels_last(const Tensor& t) {
  if (t.dim() != 4 && t.dim() != 5) return false;
  if (t.is_contiguous()) return false;
  // Channels-last strides: C innermost, then the spatial dims, then N.
  const auto& sizes = t.sizes();
  const auto& strides = t.strides();
  int64_t expected = 1;
  std::vector<int64_t> order{1};
  for (int64_t d = t.dim() - 1; d >= 2; --d) order.push_back(d);
  order.push_back(0);
  for (int64_t d : order) {
    if (sizes[d] != 1 && strides[d] != expected) return false;
    expected *= sizes[d];
  }
  return true;
}

std::vector<int64_t> channels_last_strides(std::span<const int64_t> sizes) {
  std::vector<int64_t> strides(sizes.size());
  int64_t expected = 1;
  strides[1] = expected;
  expected *= std::max<int64_t>(sizes[1], 1);
  for (std::size_t d = sizes.size() - 1; d >= 2; --d) {
    strides[d] = expected;
    expected *= std::max<int64_t>(sizes[d], 1);
  }
  strides[0] = expected;
  return strides;
}

}  // namespace pt2run::detail

namespace pt2run::detail {

std::vector<int64_t> iterator_output_strides(std::span<const int64_t> sizes,
                                             const std::vector<std::span<const int64_t>>& operand_strides) {
  const auto rank = static_cast<int64_t>(sizes.size());
  // TensorIterator's reorder_dimensions: perm[0] is the fastest-moving dim. Two dims swap when
  // the first operand that orders them unambiguously (no zero stride) says so; equal strides
  // put the larger dim outside.
  auto should_swap = [&](int64_t d0, int64_t d1) {
    for (const auto& strides : operand_strides) {
      const int64_t s0 = strides[static_cast<std::size_t>(d0)], s1 = strides[static_cast<std::size_t>(d1)];
      if (s0 == 0 || s1 == 0) continue;
      if (s0 < s1) return -1;
      if (s0 > s1) return 1;
      if (sizes[static_cast<std::size_t>(d0)] > sizes[static_cast<std::size_t>(d1)]) return 1;
    }
    return 0;
  };
  std::vector<int64_t> perm(static_cast<std::size_t>(rank));
  for (int64_t i = 0; i < rank; ++i) perm[static_cast<std::size_t>(i)] = rank - 1 - i;
  for (int64_t i = 1; i < rank; ++i) {
    int64_t dim1 = i;
    for (int64_t dim0 = i - 1; dim0 >= 0; --dim0) {
      const int c = should_swap(perm[static_cast<std::size_t>(dim0)], perm[static_cast<std::size_t>(dim1)]);
      if (c > 0) {
        std::swap(perm[static_cast<std::size_t>(dim0)], perm[static_cast<std::size_t>(dim1)]);
        dim1 = dim0;
      } else if (c < 0) {
        break;
      }
    }
  }
  std::vector<int64_t> strides(static_cast<std::size_t>(rank));
  int64_t next = 1;
  for (int64_t d : perm) {
    strides[static_cast<std::size_t>(d)] = next;
    next *= std::max<int64_t>(sizes[static_cast<std::size_t>(d)], 1);
  }
  return strides;
}

}  // namespace pt2run::detail
