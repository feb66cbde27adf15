#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "pt2run/dtype.h"

namespace pt2run::detail {

// A constant whose bytes a kernel library laid out, not the tensor's sizes and strides: torch's
// oneDNN-prepacked weights (layout Mkldnn), in oneDNN's blocked form. Element (i0, i1, ...)
// lies at sum over d of (i_d / block_d) * strides[d], plus its offset inside the innermost
// blocks (inner_blocks, over the dimensions inner_indices names, outermost first). The
// storage it describes holds `nbytes`; only kernels that understand it read the data.
struct PackedLayout {
  std::vector<int64_t> dims;         // logical; grouped convolution weights lead with groups
  std::vector<int64_t> padded_dims;  // dims rounded up to their blocks (the padding is zero)
  std::vector<int64_t> strides;      // in elements, per dimension, between whole blocks
  std::vector<int64_t> inner_blocks;
  std::vector<int64_t> inner_indices;
  DType dtype = DType::Float32;
  std::size_t nbytes = 0;
};

}  // namespace pt2run::detail
