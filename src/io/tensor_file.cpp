#include "pt2run/tensor_file.h"

#include <filesystem>
#include <fstream>

#include "core/check.h"
#include "io/file_bytes.h"
#include "io/npy.h"
#include "io/npz.h"
#include "io/safetensors.h"

namespace pt2run {

TensorFileFormat tensor_file_format(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".npy") return TensorFileFormat::Npy;
  if (ext == ".npz") return TensorFileFormat::Npz;
  if (ext == ".safetensors") return TensorFileFormat::Safetensors;
  detail::fail(ErrorCode::InvalidArgument, "'", path,
               "' is not a tensor file pt2run knows: use .npy, .npz or .safetensors");
}

NamedTensors parse_tensors(std::span<const std::byte> bytes, TensorFileFormat format,
                           const std::string& what) {
  switch (format) {
    case TensorFileFormat::Npy: return {{what, io::parse_npy(bytes, what)}};
    case TensorFileFormat::Npz: return io::parse_npz(bytes, what);
    case TensorFileFormat::Safetensors: return io::parse_safetensors(bytes, what);
  }
  detail::fail(ErrorCode::InvalidArgument, "unknown tensor file format");
}

NamedTensors read_tensors(const std::string& path) {
  const TensorFileFormat format = tensor_file_format(path);
  io::FileBytes file = io::FileBytes::read(path);
  NamedTensors tensors = parse_tensors(file.bytes(), format, "'" + path + "'");
  if (format == TensorFileFormat::Npy) tensors[0].first = std::filesystem::path(path).stem().string();
  return tensors;
}

std::string encode_tensors(const NamedTensors& tensors, TensorFileFormat format) {
  switch (format) {
    case TensorFileFormat::Npy:
      PT2RUN_CHECK(tensors.size() == 1, InvalidArgument, "a .npy file holds exactly one array, got ",
                   tensors.size(), "; use .npz or .safetensors");
      return io::encode_npy(tensors[0].second);
    case TensorFileFormat::Npz: return io::encode_npz(tensors);
    case TensorFileFormat::Safetensors: return io::encode_safetensors(tensors);
  }
  detail::fail(ErrorCode::InvalidArgument, "unknown tensor file format");
}

void write_tensors(const std::string& path, const NamedTensors& tensors) {
  io::write_file(path, encode_tensors(tensors, tensor_file_format(path)));
}

namespace io {

void write_file(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  PT2RUN_CHECK(out.good(), Io, "cannot write '", path, "'");
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  PT2RUN_CHECK(out.good(), Io, "writing '", path, "' failed (disk full?)");
}

}  // namespace io
}  // namespace pt2run
