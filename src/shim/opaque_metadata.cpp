#include "shim/opaque_metadata.h"

#include <algorithm>
#include <cstring>

#include "core/check.h"

namespace pt2run::shim {
namespace {

// oneDNN 3's memory descriptor as torch 2.x (oneDNN 3.x) serializes it: a leading word (1),
// then ndims, dims, data type, padded dims and offsets, offset0, format kind and the blocking
// description, each field at the offset its struct puts it.
constexpr int64_t kSize = 772;
constexpr int kMaxDims = 12;
constexpr std::size_t kNdims = 4, kDims = 8, kDataType = 104, kPaddedDims = 112, kPaddedOffsets = 208,
                      kOffset0 = 304, kFormatKind = 312, kStrides = 320, kInnerCount = 416, kInnerBlocks = 424,
                      kInnerIndices = 520;
constexpr int32_t kBlocked = 2;

template <class T>
T read(const uint8_t* data, std::size_t offset) {
  T v;
  std::memcpy(&v, data + offset, sizeof v);
  return v;
}

std::vector<int64_t> read_dims(const uint8_t* data, std::size_t offset, int count) {
  std::vector<int64_t> v(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) v[static_cast<std::size_t>(i)] = read<int64_t>(data, offset + 8u * static_cast<std::size_t>(i));
  return v;
}

DType dtype_of(int32_t onednn_type) {
  switch (onednn_type) {
    case 1: return DType::Float16;
    case 2: return DType::BFloat16;
    case 3: return DType::Float32;
    default:
      detail::fail(ErrorCode::InvalidPackage, "a prepacked weight has oneDNN data type ", onednn_type,
                   "; pt2run reads float32, bfloat16 and float16 ones (int8 weights come with the quantized "
                   "ops pt2run does not run)");
  }
}

}  // namespace

detail::PackedLayout parse_mkldnn_metadata(const uint8_t* data, int64_t size, std::span<const int64_t> sizes,
                                           DType dtype) {
  using detail::fail;
  PT2RUN_CHECK(data != nullptr && size == kSize, InvalidPackage, "the opaque metadata of a prepacked weight has ", size,
               " bytes; pt2run reads the ", kSize, "-byte oneDNN 3 memory descriptor torch 2.x writes");
  const auto lead = read<int32_t>(data, 0);
  const auto ndims = read<int32_t>(data, kNdims);
  PT2RUN_CHECK(lead == 1 && ndims >= 1 && ndims <= kMaxDims, InvalidPackage, "the opaque metadata of a prepacked weight is "
               "not a oneDNN 3 memory descriptor as torch 2.x writes it (leading word ", lead, ", ", ndims, " dims)");
  detail::PackedLayout l;
  l.dims = read_dims(data, kDims, ndims);
  l.padded_dims = read_dims(data, kPaddedDims, ndims);
  l.strides = read_dims(data, kStrides, ndims);
  l.dtype = dtype_of(read<int32_t>(data, kDataType));
  PT2RUN_CHECK(l.dtype == dtype, InvalidPackage, "a prepacked weight's descriptor says ", dtype_name(l.dtype),
               " but the constant is ", dtype_name(dtype));
  PT2RUN_CHECK(read<int32_t>(data, kFormatKind) == kBlocked, InvalidPackage, "a prepacked weight's descriptor has format kind ",
               read<int32_t>(data, kFormatKind), "; pt2run reads oneDNN's blocked layouts (kind 2)");
  PT2RUN_CHECK(read<int64_t>(data, kOffset0) == 0, InvalidPackage, "a prepacked weight's descriptor has an offset");
  for (int64_t o : read_dims(data, kPaddedOffsets, ndims))
    PT2RUN_CHECK(o == 0, InvalidPackage, "a prepacked weight's descriptor has padded offsets");

  // dims: the constant's sizes, or grouped weights [g, O/g, ...] of sizes [O, ...].
  const auto rank = static_cast<int>(sizes.size());
  bool matches = rank == ndims;
  for (int d = 0; matches && d < ndims; ++d) matches = l.dims[static_cast<std::size_t>(d)] == sizes[static_cast<std::size_t>(d)];
  if (!matches && ndims == rank + 1 && l.dims[0] > 0 && l.dims[1] > 0 && l.dims[0] <= sizes[0] &&
      l.dims[0] * l.dims[1] == sizes[0]) {
    matches = true;
    for (int d = 1; matches && d < rank; ++d) matches = l.dims[static_cast<std::size_t>(d + 1)] == sizes[static_cast<std::size_t>(d)];
  }
  PT2RUN_CHECK(matches, InvalidPackage, "a prepacked weight's descriptor has dims that are not the constant's sizes");

  const auto count = read<int32_t>(data, kInnerCount);
  PT2RUN_CHECK(count >= 0 && count <= kMaxDims, InvalidPackage, "a prepacked weight's descriptor has ", count, " inner blocks");
  l.inner_blocks = read_dims(data, kInnerBlocks, count);
  l.inner_indices = read_dims(data, kInnerIndices, count);
  std::vector<int64_t> block(static_cast<std::size_t>(ndims), 1);
  int64_t block_elements = 1;
  for (int i = 0; i < count; ++i) {
    const int64_t b = l.inner_blocks[static_cast<std::size_t>(i)], at = l.inner_indices[static_cast<std::size_t>(i)];
    PT2RUN_CHECK(at >= 0 && at < ndims && b > 0 && b <= 4096 && block[static_cast<std::size_t>(at)] <= 4096,
                 InvalidPackage, "a prepacked weight's descriptor has an inner block ", b, " on dim ", at);
    block[static_cast<std::size_t>(at)] *= b;
    block_elements *= b;
  }
  // Sizes stay far below overflow: every dim is bounded by the constant's own sizes.
  int64_t elements = 1;
  for (int d = 0; d < ndims; ++d) {
    const auto i = static_cast<std::size_t>(d);
    const int64_t dim = l.dims[i], padded = l.padded_dims[i], stride = l.strides[i];
    PT2RUN_CHECK(dim > 0 && padded >= dim && padded % block[i] == 0 && padded - dim < block[i], InvalidPackage,
                 "a prepacked weight's descriptor pads dim ", d, " of ", dim, " to ", padded);
    PT2RUN_CHECK(stride >= 0 && stride <= (int64_t{1} << 40), InvalidPackage, "a prepacked weight's descriptor has stride ",
                 stride, " on dim ", d);
    elements = std::max(elements, padded / block[i] * stride);
  }
  // oneDNN's own size rule: one whole block when every dim is a single block.
  if (elements == 1 && count != 0) elements = block_elements;
  l.nbytes = static_cast<std::size_t>(elements) * element_size(dtype);
  return l;
}

}  // namespace pt2run::shim
