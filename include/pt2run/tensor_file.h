#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "pt2run/export.h"
#include "pt2run/tensor.h"

namespace pt2run {

// Tensors read from or written to a file, in file order, with their names.
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

enum class TensorFileFormat {
  Npy,          // NumPy .npy: one array (its name is the file's stem)
  Npz,          // NumPy .npz: a zip of .npy members, stored or deflated (numpy.savez[_compressed])
  Safetensors,  // Hugging Face .safetensors
};

// The format a path's suffix names. Throws Error(InvalidArgument) for any other suffix.
PT2RUN_API TensorFileFormat tensor_file_format(const std::string& path);

// Reads every tensor of a .npy, .npz or .safetensors file (chosen by suffix) into new
// contiguous CPU tensors. Names: .npz members without ".npy" (numpy.savez(f, *arrays) names
// them arr_0, arr_1, ...); .safetensors header names in the order of their data.
// Dtypes: every one both sides know; .npy "<V2"/"<V1" raw elements (how numpy writes
// ml_dtypes' bfloat16 and float8) read as uint16/uint8 bits, big-endian arrays are swapped.
//
// Errors: Error(NotFound | Io) for the file; Error(InvalidArgument) naming the file and the
// problem for a malformed one (truncated header, unknown dtype, huge or negative shape, data
// offsets past the end, a byte count that does not match the shape). Never crashes on bad
// input: the readers are fuzzed.
PT2RUN_API NamedTensors read_tensors(const std::string& path);
// The same from bytes in memory; `what` names them in errors.
PT2RUN_API NamedTensors parse_tensors(std::span<const std::byte> bytes, TensorFileFormat format,
                                      const std::string& what);

// Writes tensors in the format the suffix names (.npy takes exactly one). .npz members are
// "<name>.npy", stored; bfloat16 goes to .npy as its uint16 bits (numpy has no bfloat16) and
// to .safetensors as BF16. Throws Error(InvalidArgument | Io | NotImplemented).
PT2RUN_API void write_tensors(const std::string& path, const NamedTensors& tensors);
// The file's bytes, as write_tensors would write them.
PT2RUN_API std::string encode_tensors(const NamedTensors& tensors, TensorFileFormat format);

}  // namespace pt2run
