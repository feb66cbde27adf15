// Tensor files (.npy, .npz, .safetensors) and DLPack: round trips for every dtype, and a clear
// InvalidArgument for each kind of malformed file.

#include <gtest/gtest.h>

#include <dlpack/dlpack.h>

#include <cstring>
#include <sstream>

#include "package/zip_writer.h"
#include "pt2run/dlpack.h"
#include "pt2run/error.h"
#include "pt2run/tensor_file.h"

namespace pt2run {
namespace {

std::span<const std::byte> bytes_of(const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); }

Tensor iota(const std::vector<int64_t>& sizes, DType dtype) {
  Tensor f = Tensor::empty(sizes, DType::Float32);
  for (int64_t i = 0; i < f.numel(); ++i) f.data<float>()[i] = static_cast<float>(i % 7) - 2.0f;
  Tensor t = Tensor::empty(sizes, dtype);
  t.copy_(f);
  return t;
}

bool same_bytes(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && std::equal(a.sizes().begin(), a.sizes().end(), b.sizes().begin(), b.sizes().end()) &&
         (a.nbytes() == 0 || std::memcmp(a.contiguous().data_ptr(), b.contiguous().data_ptr(), a.nbytes()) == 0);
}

std::string invalid(const std::string& bytes, TensorFileFormat format) {
  try {
    parse_tensors(bytes_of(bytes), format, "test file");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument) << e.what();
    EXPECT_NE(std::string(e.what()).find("test file"), std::string::npos) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "accepted a malformed file";
  return "";
}

const DType kDtypes[] = {DType::Float32, DType::Float64, DType::Float16, DType::Int64, DType::Int32,
                         DType::Int16,   DType::Int8,    DType::UInt8,   DType::Bool,  DType::UInt16,
                         DType::UInt32,  DType::UInt64};

TEST(TensorFiles, RoundTripEveryDtypeInEveryFormat) {
  for (DType dtype : kDtypes) {
    NamedTensors tensors = {{"a", iota({2, 3}, dtype)}, {"b", iota({5}, dtype)}, {"scalar", iota({}, dtype)},
                            {"empty", iota({0, 4}, dtype)}};
    for (auto format : {TensorFileFormat::Npz, TensorFileFormat::Safetensors}) {
      NamedTensors back = parse_tensors(bytes_of(encode_tensors(tensors, format)), format, "round trip");
      ASSERT_EQ(back.size(), tensors.size()) << dtype_name(dtype);
      for (std::size_t i = 0; i < back.size(); ++i) {
        EXPECT_EQ(back[i].first, tensors[i].first);
        EXPECT_TRUE(same_bytes(back[i].second, tensors[i].second)) << dtype_name(dtype) << " " << back[i].first;
      }
    }
    Tensor one = parse_tensors(bytes_of(encode_tensors({{"x", tensors[0].second}}, TensorFileFormat::Npy)),
                               TensorFileFormat::Npy, "npy")[0].second;
    EXPECT_TRUE(same_bytes(one, tensors[0].second)) << dtype_name(dtype);
  }
}

TEST(TensorFiles, Bfloat16) {
  Tensor bf = iota({4}, DType::BFloat16);
  // .safetensors has BF16; .npy stores the bits as uint16.
  auto st = parse_tensors(bytes_of(encode_tensors({{"w", bf}}, TensorFileFormat::Safetensors)),
                          TensorFileFormat::Safetensors, "st");
  EXPECT_TRUE(same_bytes(st[0].second, bf));
  auto npy = parse_tensors(bytes_of(encode_tensors({{"w", bf}}, TensorFileFormat::Npy)), TensorFileFormat::Npy, "npy");
  EXPECT_EQ(npy[0].second.dtype(), DType::UInt16);
  EXPECT_EQ(std::memcmp(npy[0].second.data_ptr(), bf.data_ptr(), bf.nbytes()), 0);
}

std::string npy_with_header(const std::string& dict, const std::string& data) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out.push_back(static_cast<char>(header.size() & 0xFF));
  out.push_back(static_cast<char>(header.size() >> 8));
  return out + header + data;
}

TEST(TensorFiles, NpyVariantsNumpyWrites) {
  // Big-endian, Fortran order, "<V2" (ml_dtypes' bfloat16), and a Python 2 long.
  const uint32_t be[2] = {0x0000803f, 0x00000040};  // 1.0f, 2.0f big-endian
  Tensor t = parse_tensors(bytes_of(npy_with_header("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }",
                                                    std::string(reinterpret_cast<const char*>(be), 8))),
                           TensorFileFormat::Npy, "be")[0].second;
  EXPECT_EQ(t.data<float>()[0], 1.0f);
  EXPECT_EQ(t.data<float>()[1], 2.0f);
  const float column_major[6] = {0, 3, 1, 4, 2, 5};  // [[0,1,2],[3,4,5]] in Fortran order
  Tensor f = parse_tensors(bytes_of(npy_with_header("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
                                                    std::string(reinterpret_cast<const char*>(column_major), 24))),
                           TensorFileFormat::Npy, "fortran")[0].second;
  for (int i = 0; i < 6; ++i) EXPECT_EQ(f.data<float>()[i], static_cast<float>(i));
  Tensor v = parse_tensors(bytes_of(npy_with_header("{'descr': '<V2', 'fortran_order': False, 'shape': (3L,), }",
                                                    std::string(6, '\x01'))),
                           TensorFileFormat::Npy, "v2")[0].second;
  EXPECT_EQ(v.dtype(), DType::UInt16);
  EXPECT_EQ(v.numel(), 3);
}

TEST(TensorFiles, MalformedNpy) {
  const std::string ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  EXPECT_NE(invalid("not numpy at all", TensorFileFormat::Npy).find("magic"), std::string::npos);
  EXPECT_NE(invalid(std::string("\x93NUMPY\x01\x00\xff\x7f{", 11), TensorFileFormat::Npy).find("truncated"),
            std::string::npos);
  EXPECT_NE(invalid(npy_with_header(ok, std::string(4, '\0')), TensorFileFormat::Npy).find("holds"),
            std::string::npos);
  EXPECT_NE(invalid(npy_with_header("{'descr': '<q7', 'fortran_order': False, 'shape': (2,), }", ""),
                    TensorFileFormat::Npy).find("q7"), std::string::npos);
  EXPECT_NE(invalid(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", ""),
                    TensorFileFormat::Npy).find("negative"), std::string::npos);
  // A huge shape must be refused before anything is allocated.
  invalid(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", "x"),
          TensorFileFormat::Npy);
  invalid(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,), }", ""),
          TensorFileFormat::Npy);
  invalid(npy_with_header("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", ""),
          TensorFileFormat::Npy);
  invalid(npy_with_header("{'descr': '<f4', 'shape': (2,), }", std::string(8, '\0')), TensorFileFormat::Npy);
  invalid(npy_with_header("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }", ""), TensorFileFormat::Npy);
}

std::string safetensors_with_header(const std::string& json, const std::string& data) {
  std::string out(8, '\0');
  const uint64_t n = json.size();
  std::memcpy(out.data(), &n, 8);
  return out + json + data;
}

TEST(TensorFiles, MalformedSafetensors) {
  const std::string data(16, '\0');
  invalid("short", TensorFileFormat::Safetensors);
  EXPECT_NE(invalid(safetensors_with_header("{}", "").substr(0, 9) + std::string("\xff\xff\xff\xff", 4),
                    TensorFileFormat::Safetensors).find("safetensors"), std::string::npos);
  std::string huge(8, '\xff');
  EXPECT_NE(invalid(huge + "{}", TensorFileFormat::Safetensors).find("header"), std::string::npos);
  invalid(safetensors_with_header("[1, 2]", data), TensorFileFormat::Safetensors);
  invalid(safetensors_with_header("{\"x\": {\"dtype\": \"F32\"}}", data), TensorFileFormat::Safetensors);
  EXPECT_NE(invalid(safetensors_with_header(R"({"x": {"dtype": "F7", "shape": [4], "data_offsets": [0, 16]}})", data),
                    TensorFileFormat::Safetensors).find("F7"), std::string::npos);
  EXPECT_NE(invalid(safetensors_with_header(R"({"x": {"dtype": "F32", "shape": [4], "data_offsets": [0, 32]}})", data),
                    TensorFileFormat::Safetensors).find("past the end"), std::string::npos);
  EXPECT_NE(invalid(safetensors_with_header(R"({"x": {"dtype": "F32", "shape": [3], "data_offsets": [0, 16]}})", data),
                    TensorFileFormat::Safetensors).find("need 12"), std::string::npos);
  invalid(safetensors_with_header(R"({"x": {"dtype": "F32", "shape": [-4], "data_offsets": [0, 16]}})", data),
          TensorFileFormat::Safetensors);
  invalid(safetensors_with_header(R"({"x": {"dtype": "F32", "shape": [4611686018427387904, 8], "data_offsets": [0, 16]}})", data),
          TensorFileFormat::Safetensors);
  EXPECT_NE(invalid(safetensors_with_header(R"({"x": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
                                               "y": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}})", data),
                    TensorFileFormat::Safetensors).find("overlap"), std::string::npos);
}

TEST(TensorFiles, ZeroElementSafetensorsSitOnTheirNeighboursEdges) {
  // The safetensors library writes a zero-element tensor as [x, x], often at the start or the end
  // of a neighbour's data: it holds no bytes, so it overlaps nothing.
  std::string data(16, '\0');
  NamedTensors got = parse_tensors(
      bytes_of(safetensors_with_header(R"({"e1": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]},
                                          "x": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
                                          "e2": {"dtype": "BF16", "shape": [4, 0], "data_offsets": [16, 16]},
                                          "e3": {"dtype": "I64", "shape": [0, 3], "data_offsets": [8, 8]}})",
                                       data)),
      TensorFileFormat::Safetensors, "test file");
  ASSERT_EQ(got.size(), 4u);
  for (const auto& [name, t] : got) EXPECT_EQ(t.numel(), name == "x" ? 4 : 0) << name;
  // Two tensors with data still may not share bytes, wherever the empty ones sit.
  EXPECT_NE(invalid(safetensors_with_header(R"({"e": {"dtype": "F32", "shape": [0], "data_offsets": [4, 4]},
                                               "x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                               "y": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
                                            data),
                    TensorFileFormat::Safetensors).find("'x' and 'y' overlap"), std::string::npos);
}

TEST(TensorFiles, MalformedNpz) {
  invalid("PK\x03\x04 nothing", TensorFileFormat::Npz);
  // A valid zip whose member is not an array.
  std::ostringstream zip;
  detail::ZipWriter writer(zip);
  writer.add("x.npy", "not an array");
  writer.finish();
  EXPECT_NE(invalid(zip.str(), TensorFileFormat::Npz).find("x.npy"), std::string::npos);
}

TEST(TensorFiles, Zip64RecordsRead) {
  std::ostringstream zip;
  detail::ZipWriter writer(zip, /*force_zip64=*/true);
  Tensor t = iota({3, 2}, DType::Float32);
  writer.add("w.npy", encode_tensors({{"w", t}}, TensorFileFormat::Npy));
  writer.finish();
  auto back = parse_tensors(bytes_of(zip.str()), TensorFileFormat::Npz, "zip64");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_TRUE(same_bytes(back[0].second, t));
}

TEST(TensorFiles, FormatBySuffix) {
  EXPECT_EQ(tensor_file_format("a/b.npz"), TensorFileFormat::Npz);
  EXPECT_EQ(tensor_file_format("x.safetensors"), TensorFileFormat::Safetensors);
  EXPECT_THROW(tensor_file_format("x.pt"), Error);
  EXPECT_THROW(read_tensors("/nonexistent/x.npy"), Error);
  EXPECT_THROW(encode_tensors({}, TensorFileFormat::Npy), Error);
  EXPECT_THROW(encode_tensors({{"a", iota({1}, DType::Float32)}, {"a", iota({1}, DType::Float32)}},
                              TensorFileFormat::Npz), Error);
}

TEST(DLPack, RoundTripIsZeroCopyAndDeletesOnce) {
  Tensor t = iota({4, 6}, DType::Float32).as_strided({4, 3}, {6, 2}, 1);
  DLManagedTensor* managed = to_dlpack(t);
  EXPECT_EQ(managed->dl_tensor.data, t.data_ptr());
  EXPECT_EQ(managed->dl_tensor.strides[1], 2);
  const long refs = t.storage_use_count();
  Tensor back = from_dlpack(managed);
  EXPECT_EQ(back.data_ptr(), t.data_ptr());
  EXPECT_EQ(back.stride(0), 6);
  EXPECT_TRUE(same_bytes(back, t));
  back = Tensor();  // runs the deleter, which drops the export's reference
  EXPECT_EQ(t.storage_use_count(), refs - 1);
}

TEST(DLPack, ForeignTensorDeleterRunsOnceEvenOnError) {
  static int deletions = 0;
  static float data[6] = {1, 2, 3, 4, 5, 6};
  static int64_t shape[2] = {2, 3};
  auto make = [](DLDataType type) {
    auto* m = new DLManagedTensor{};
    m->dl_tensor = {data, {kDLCPU, 0}, 2, type, shape, nullptr, 0};
    m->deleter = [](DLManagedTensor* self) {
      ++deletions;
      delete self;
    };
    return m;
  };
  deletions = 0;
  {
    Tensor t = from_dlpack(make({kDLFloat, 32, 1}));
    EXPECT_EQ(t.data<float>()[4], 5.0f);
    Tensor copy = t;  // a second view: the deleter waits for both
    t = Tensor();
    EXPECT_EQ(deletions, 0);
  }
  EXPECT_EQ(deletions, 1);
  EXPECT_THROW(from_dlpack(make({kDLFloat, 32, 4})), Error);  // vector lanes
  EXPECT_THROW(from_dlpack(make({kDLOpaqueHandle, 32, 1})), Error);
  EXPECT_EQ(deletions, 3);
  EXPECT_THROW(from_dlpack(nullptr), Error);
  EXPECT_THROW(to_dlpack(Tensor()), Error);
}

}  // namespace
}  // namespace pt2run
