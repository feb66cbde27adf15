#pragma once

// The opaque metadata of a constant in torch's Mkldnn layout (aoti_torch_create_tensor_from_blob_v2):
// what a package exported with freezing and weight prepacking stores beside each prepacked
// weight, the oneDNN memory descriptor libtorch's oneDNN wrote for it.

#include <cstdint>
#include <span>

#include "core/packed_layout.h"
#include "pt2run/dtype.h"

namespace pt2run::shim {

// Reads the descriptor (a fixed 772-byte image of oneDNN 3's memory descriptor, as torch 2.x
// writes it) and checks it against the constant's sizes and dtype: blocked format, no offsets,
// dims equal to `sizes` (grouped convolution weights split sizes[0] into groups and channels),
// blocks that divide the padded dims, and a size the dims bound. Every byte is the package's,
// so anything else throws Error(InvalidPackage) naming what is wrong.
detail::PackedLayout parse_mkldnn_metadata(const uint8_t* data, int64_t size, std::span<const int64_t> sizes,
                                           DType dtype);

}  // namespace pt2run::shim
