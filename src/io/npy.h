#pragma once

#include <span>
#include <string>

#include "pt2run/tensor.h"

namespace pt2run::io {

// One .npy array (format 1.0 to 3.0) from memory, as a new contiguous tensor. Throws
// Error(InvalidArgument) naming `what` for anything malformed.
Tensor parse_npy(std::span<const std::byte> bytes, const std::string& what);
// The .npy bytes (format 1.0, or 2.0 for a header over 64 KiB) of a tensor.
std::string encode_npy(const Tensor& tensor);

// Convenience for files.
Tensor read_npy(const std::string& path);
void write_npy(const std::string& path, const Tensor& tensor);

}  // namespace pt2run::io
