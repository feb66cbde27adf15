#pragma once

#include <cstdint>
#include <vector>

#include "core/check.h"
#include "pt2run/tensor.h"

namespace pt2run::cpu {

// A contiguous tensor seen as [outer, n, inner] around one dim: element k of line (o, i) is
// at o * n * inner + k * inner + i.
struct DimLines {
  int64_t dim = 0;  // normalized
  int64_t outer = 1, n = 1, inner = 1;

  int64_t lines() const { return outer * inner; }
  // Offset of element 0 of line `line` (0 <= line < lines()).
  int64_t start(int64_t line) const { return (line / inner) * n * inner + line % inner; }
};

inline DimLines dim_lines(const Tensor& t, int64_t dim, const char* op) {
  const int64_t rank = std::max<int64_t>(t.dim(), 1);
  PT2RUN_CHECK(dim >= -rank && dim < rank, InvalidArgument, op, ": dim ", dim,
               " is out of range for ", t.describe());
  DimLines l;
  l.dim = dim < 0 ? dim + rank : dim;
  if (t.dim() == 0) return l;
  l.n = t.size(l.dim);
  for (int64_t d = 0; d < l.dim; ++d) l.outer *= t.size(d);
  for (int64_t d = l.dim + 1; d < t.dim(); ++d) l.inner *= t.size(d);
  return l;
}

inline std::vector<int64_t> sizes_vector(const Tensor& t) {
  return {t.sizes().begin(), t.sizes().end()};
}

// A contiguous copy of t in `dtype` (to() keeps the logical element order).
inline Tensor work_copy(const Tensor& t, DType dtype) { return t.to(dtype); }

}  // namespace pt2run::cpu
