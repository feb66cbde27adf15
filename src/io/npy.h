#pragma once

#include <string>

#include "pt2run/tensor.h"

namespace pt2run::io {

// Reads a NumPy .npy file (format 1.0-3.0, C order, little-endian numeric dtypes and bool)
// into a new contiguous CPU tensor. Throws Error(NotFound | Io | InvalidArgument) with the
// file name and the problem for malformed files.
Tensor read_npy(const std::string& path);

// Writes a tensor as .npy (format 1.0). bfloat16 has no NumPy dtype: it is written as its raw
// uint16 bits ("<u2"). Throws Error(Io | NotImplemented).
void write_npy(const std::string& path, const Tensor& tensor);

}  // namespace pt2run::io
