#pragma once

#include <span>
#include <string>

#include "pt2run/tensor_file.h"

namespace pt2run::io {

// A .safetensors file: an 8-byte little-endian header length, a JSON header
// {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}, then the
// data. Tensors come back in the order of their data. Throws Error(InvalidArgument) naming
// `what` for a malformed file.
NamedTensors parse_safetensors(std::span<const std::byte> bytes, const std::string& what);
std::string encode_safetensors(const NamedTensors& tensors);

}  // namespace pt2run::io
