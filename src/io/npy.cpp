#include "io/npy.h"

#include <cstring>
#include <fstream>
#include <regex>

#include "core/check.h"

namespace pt2run::io {
namespace {

struct DescrEntry {
  const char* descr;
  DType dtype;
};

constexpr DescrEntry kDescrs[] = {
    {"<f4", DType::Float32}, {"<f8", DType::Float64}, {"<f2", DType::Float16},
    {"<i8", DType::Int64},   {"<i4", DType::Int32},   {"<i2", DType::Int16},
    {"|i1", DType::Int8},    {"|u1", DType::UInt8},   {"|b1", DType::Bool},
    {"<u2", DType::UInt16},  {"<u4", DType::UInt32},  {"<u8", DType::UInt64},
    {"<c8", DType::Complex64}, {"<c16", DType::Complex128},
};

}  // namespace

Tensor read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  PT2RUN_CHECK(in.good(), NotFound, "cannot open '", path, "'");
  char magic[8];
  in.read(magic, 8);
  PT2RUN_CHECK(in.good() && std::memcmp(magic, "\x93NUMPY", 6) == 0, InvalidArgument, "'", path,
               "' is not a .npy file");
  const int major = static_cast<unsigned char>(magic[6]);
  uint32_t header_len = 0;
  if (major == 1) {
    unsigned char len[2];
    in.read(reinterpret_cast<char*>(len), 2);
    header_len = len[0] | (len[1] << 8);
  } else {
    unsigned char len[4];
    in.read(reinterpret_cast<char*>(len), 4);
    header_len = len[0] | (len[1] << 8) | (len[2] << 16) | (uint32_t{len[3]} << 24);
  }
  PT2RUN_CHECK(in.good() && header_len < (1u << 20), InvalidArgument, "'", path,
               "' has a malformed .npy header");
  std::string header(header_len, '\0');
  in.read(header.data(), header_len);
  PT2RUN_CHECK(in.good(), InvalidArgument, "'", path, "' is truncated in its header");
  std::smatch m;
  PT2RUN_CHECK(std::regex_search(header, m, std::regex("'descr':\\s*'([^']+)'")), InvalidArgument,
               "'", path, "' has no dtype in its header");
  const std::string descr = m[1];
  PT2RUN_CHECK(std::regex_search(header, m, std::regex("'fortran_order':\\s*(True|False)")) &&
                   m[1] == "False",
               InvalidArgument, "'", path, "' is in Fortran order; save it C-contiguous");
  PT2RUN_CHECK(std::regex_search(header, m, std::regex("'shape':\\s*\\(([^)]*)\\)")),
               InvalidArgument, "'", path, "' has no shape in its header");
  std::vector<int64_t> shape;
  const std::string dims = m[1];
  const std::regex number("[0-9]+");
  std::sregex_iterator it(dims.begin(), dims.end(), number), end;
  for (; it != end; ++it) shape.push_back(std::stoll(it->str()));
  std::optional<DType> dtype;
  for (const auto& d : kDescrs)
    if (descr == d.descr) dtype = d.dtype;
  PT2RUN_CHECK(dtype.has_value(), InvalidArgument, "'", path, "' has dtype '", descr,
               "', which pt2run cannot read");
  Tensor t = Tensor::empty(shape, *dtype);
  in.read(static_cast<char*>(t.data_ptr()), static_cast<std::streamsize>(t.nbytes()));
  PT2RUN_CHECK(static_cast<std::size_t>(in.gcount()) == t.nbytes(), InvalidArgument, "'", path,
               "' is truncated: expected ", t.nbytes(), " bytes of data");
  return t;
}

void write_npy(const std::string& path, const Tensor& tensor) {
  Tensor t = tensor.contiguous();
  DType dtype = t.dtype() == DType::BFloat16 ? DType::UInt16 : t.dtype();
  const char* descr = nullptr;
  for (const auto& d : kDescrs)
    if (d.dtype == dtype) descr = d.descr;
  PT2RUN_CHECK(descr != nullptr, NotImplemented, "cannot write ", dtype_name(t.dtype()),
               " to .npy");
  std::string shape;
  for (int64_t s : t.sizes()) shape += std::to_string(s) + ",";
  if (t.dim() > 1) shape.pop_back();
  std::string header = "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': (" +
                       shape + "), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  PT2RUN_CHECK(out.good(), Io, "cannot write '", path, "'");
  const uint16_t len = static_cast<uint16_t>(header.size());
  out.write("\x93NUMPY\x01\x00", 8);
  out.put(static_cast<char>(len & 0xFF));
  out.put(static_cast<char>(len >> 8));
  out << header;
  out.write(static_cast<const char*>(t.data_ptr()), static_cast<std::streamsize>(t.nbytes()));
  PT2RUN_CHECK(out.good(), Io, "writing '", path, "' failed");
}

}  // namespace pt2run::io
