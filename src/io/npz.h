#pragma once

#include <span>
#include <string>

#include "pt2run/tensor_file.h"

namespace pt2run::io {

// A .npz file: a zip of .npy members (stored by numpy.savez, deflated by savez_compressed).
// Names drop the ".npy". Throws Error(InvalidArgument) naming `what` for a malformed file.
NamedTensors parse_npz(std::span<const std::byte> bytes, const std::string& what);
// Stored members "<name>.npy", data 64-byte aligned.
std::string encode_npz(const NamedTensors& tensors);

}  // namespace pt2run::io
