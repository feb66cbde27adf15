// The readers for weights stored outside a model library: the appended (mmap-self)
// section, the constants_info_ table of the wrapper source, and torch.save's pickle record.

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "model/appended_weights.h"
#include "model/elf_image.h"
#include "core/mapped_file.h"
#include "model/model_library.h"
#include "model/model_malloc.h"
#include "package/extern_nodes.h"
#include "package/model_source.h"
#include "pt2run/inspect.h"
#include "package/package.h"
#include "package/pickled_tensor.h"
#include "pt2run/error.h"
#include "testing/corpus.h"

namespace pt2run {
namespace {

using detail::check_appended_weights;

// A library file as AOTInductor lays it out with USE_MMAP_SELF: code, padding to 16 KiB,
// the weights, the magic; and the 16-byte header its _binary_constants_bin_start holds.
struct SyntheticLibrary {
  std::vector<unsigned char> file;
  std::vector<unsigned char> header;
};

SyntheticLibrary synthetic(uint64_t weights_bytes, uint64_t magic) {
  SyntheticLibrary lib;
  lib.file.assign(16384, 'E');  // the ELF part, padded
  for (uint64_t i = 0; i < weights_bytes; ++i) lib.file.push_back(static_cast<unsigned char>(i));
  const uint64_t size = weights_bytes + 8;
  lib.file.resize(lib.file.size() + 8);
  std::memcpy(lib.file.data() + lib.file.size() - 8, &magic, 8);
  lib.header.resize(16);
  std::memcpy(lib.header.data(), &size, 8);
  std::memcpy(lib.header.data() + 8, &magic, 8);
  return lib;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidPackage) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "expected InvalidPackage";
  return "";
}

TEST(AppendedWeights, FindsTheSectionInPlace) {
  auto lib = synthetic(4096 - 8, 0x1234567899abcdefULL);
  auto w = check_appended_weights(lib.header, lib.file, "lib.so");
  EXPECT_EQ(w.offset, 16384u);
  EXPECT_EQ(w.size, 4096u);
  EXPECT_EQ(w.magic, 0x1234567899abcdefULL);
}

TEST(AppendedWeights, TruncatedMisalignedAndCorruptAreClearErrors) {
  auto lib = synthetic(4088, 42);
  auto truncated = lib.file;
  truncated.erase(truncated.begin(), truncated.begin() + 16484);  // shorter than the weights
  EXPECT_NE(error_of([&] { check_appended_weights(lib.header, truncated, "lib.so"); }).find("truncated"),
            std::string::npos);
  auto shifted = lib.file;
  shifted.insert(shifted.begin(), 100, 'x');
  EXPECT_NE(error_of([&] { check_appended_weights(lib.header, shifted, "lib.so"); }).find("16 KiB"),
            std::string::npos);
  auto corrupt = lib.file;
  corrupt.back() ^= 0xff;
  EXPECT_NE(error_of([&] { check_appended_weights(lib.header, corrupt, "lib.so"); }).find("magic"),
            std::string::npos);
  EXPECT_NE(error_of([&] { check_appended_weights(std::span(lib.header).first(8), lib.file, "lib.so"); })
                .find("header"),
            std::string::npos);
}

std::string library_bytes(const std::string& model) {
  auto package = detail::Pt2Package::open(testing::package_path(model));
  return package->archive().read(*package->model("model").library);
}

TEST(AppendedWeights, RealMmapSelfLibrary) {
  PT2RUN_REQUIRE_CORPUS();
  std::string bytes = library_bytes("weights_mmap");
  detail::ElfImage image(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), "mmap.so");
  auto w = detail::find_appended_weights(image, "mmap.so");
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->offset + w->size, bytes.size());
  EXPECT_EQ(w->offset % 16384, 0u);
  // Embedded weights (the usual build) and external ones are not mistaken for a section.
  for (const char* model : {"swap", "weights_blob"}) {
    std::string other = library_bytes(model);
    detail::ElfImage other_image(reinterpret_cast<unsigned char*>(other.data()), other.size(), model);
    EXPECT_FALSE(detail::find_appended_weights(other_image, model).has_value()) << model;
  }
}

TEST(AppendedWeights, CorruptLibraryIsRefusedBeforeLoading) {
  PT2RUN_REQUIRE_CORPUS();
  std::string bytes = library_bytes("weights_mmap");
  bytes.back() ^= 0x5a;  // the trailing magic
  auto path = std::filesystem::temp_directory_path() / ("pt2run-mmap-" + std::to_string(::getpid()) + ".so");
  { std::ofstream(path, std::ios::binary) << bytes; }
  std::string message = error_of([&] { detail::ModelLibrary::open_file(path.string()); });
  EXPECT_NE(message.find("appended weights"), std::string::npos) << message;
  std::filesystem::remove(path);
}

TEST(EmbeddedWeights, FoundWhereTheLibraryKeepsThem) {
  PT2RUN_REQUIRE_CORPUS();
  std::string bytes = library_bytes("swap");
  detail::ElfImage image(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), "swap.so");
  auto range = detail::find_embedded_weights(image);
  ASSERT_TRUE(range.has_value());
  EXPECT_GT(range->second, 16u);
  EXPECT_LE(range->first + range->second, bytes.size());
  // Appended and external weights are not embedded ones.
  for (const char* model : {"weights_mmap", "weights_blob"}) {
    std::string other = library_bytes(model);
    detail::ElfImage other_image(reinterpret_cast<unsigned char*>(other.data()), other.size(), model);
    EXPECT_FALSE(detail::find_embedded_weights(other_image).has_value()) << model;
  }
}

uint64_t allocated_bytes(int fd) {
  struct stat st {};
  EXPECT_EQ(::fstat(fd, &st), 0);
  return static_cast<uint64_t>(st.st_blocks) * 512;
}

// The package loader lends its extracted copy: the first open uses it in place, a second one
// copies; releasing the weights returns the constants' pages of the in-memory file.
TEST(ModelLibrary, UsesALentCopyOnceAndReleasesItsWeights) {
  PT2RUN_REQUIRE_CORPUS();
  std::string bytes = library_bytes("transformer");  // 195 KiB of weights
  int fd = detail::make_memfd("lent.so");
  ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  detail::ElfImage image(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), "transformer.so");
  const uint64_t weights = detail::find_embedded_weights(image)->second;
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  ASSERT_GT(weights, 8 * page);
  const std::string path = "/proc/self/fd/" + std::to_string(fd);

  detail::lend_private_copy(fd);
  auto lent = detail::ModelLibrary::open_file(path);
  EXPECT_TRUE(lent->uses_lent_copy());
  auto copied = detail::ModelLibrary::open_file(path);
  EXPECT_FALSE(copied->uses_lent_copy());
  ASSERT_NE(copied->find_symbol("AOTInductorModelContainerCreateWithDevice"), nullptr);

  const uint64_t before = allocated_bytes(fd);
  lent->release_weights_copy();
  EXPECT_GE(before - allocated_bytes(fd), weights - 2 * page);
  lent->release_weights_copy();  // idempotent
  lent.reset();
  copied.reset();
  detail::withdraw_private_copy(fd);  // already taken: a no-op
  ::close(fd);
}

// The VmFlags line of /proc/self/smaps for the mapping holding `address` ("" if none).
std::string vm_flags_at(const void* address) {
  std::ifstream smaps("/proc/self/smaps");
  const auto at = reinterpret_cast<std::uintptr_t>(address);
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    std::uintptr_t lo = 0, hi = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx ", &lo, &hi) == 2 && line.find(':') > line.find(' ')) {
      inside = lo <= at && at < hi;
    } else if (inside && line.starts_with("VmFlags:")) {
      return line;
    }
  }
  return "";
}

// A model's constants block (the model library's malloc, redirected) asks for huge pages; small
// ones are plain malloc. Both are freed by the library's ordinary free.
TEST(ModelLibrary, ItsLargeMallocsAskForHugePages) {
  if (!std::filesystem::exists("/sys/kernel/mm/transparent_hugepage/enabled"))
    GTEST_SKIP() << "this kernel has no transparent huge pages";
  const std::size_t size = std::size_t{16} << 20;
  auto* big = static_cast<unsigned char*>(p2rmal(size));
  ASSERT_NE(big, nullptr);
  std::memset(big, 7, size);
  const std::string flags = vm_flags_at(big + size / 2);
  EXPECT_NE(flags.find(" hg"), std::string::npos) << flags;
  EXPECT_EQ(big[size - 1], 7);
  std::free(big);
  void* small = p2rmal(100);
  ASSERT_NE(small, nullptr);
  std::memset(small, 1, 100);
  std::free(small);
}

TEST(ModelSource, ParsesTheWrapperTable) {
  const std::string source = R"(
    constants_info_[0].name = "fc1_weight";
    constants_info_[0].dtype = cached_torch_dtype_float32;
    constants_info_[0].shape = {16, 8};
    constants_info_[0].stride = {8, 1};
    constants_info_[1].name = "fc2_weight";
    constants_info_[1].shape = {4, 16};
    constants_info_[1].stride = {1, 4};
    constants_info_[2].name = "scalar";
    constants_info_[2].shape = {};
    constants_info_[2].stride = {};
    constants_info_[3].name = "broken";
    constants_info_[3].shape = {4, x};
    constants_info_[3].stride = {1};
  )";
  auto layouts = detail::parse_model_source(source).layouts();
  ASSERT_EQ(layouts.size(), 3u);
  EXPECT_EQ(layouts.at("fc1_weight").sizes, (std::vector<int64_t>{16, 8}));
  EXPECT_EQ(layouts.at("fc2_weight").strides, (std::vector<int64_t>{1, 4}));
  EXPECT_TRUE(layouts.at("scalar").sizes.empty());
  EXPECT_TRUE(detail::parse_model_source("int main() {}").layouts().empty());
}

// A CUDA model's generated input checks name each input's device; a torch.cond predicate may
// be declared on the host.
TEST(ModelSource, ReadsEachInputsExpectedDevice) {
  const std::string source = R"(
    inputs_info_[0].name = "arg0_1";
    inputs_info_[1].name = "arg1_1";
    inputs_info_[2].name = "arg2_1";
    int32_t arg0_1_expected_device_type = 1;
    int32_t arg1_1_expected_device_type = 0;
    int32_t arg2_1_expected_device_type = banana;
  )";
  const auto parsed = detail::parse_model_source(source);
  ASSERT_EQ(parsed.inputs.size(), 3u);
  EXPECT_EQ(parsed.inputs[0].device_type, 1);
  EXPECT_EQ(parsed.inputs[1].device_type, 0);
  EXPECT_FALSE(parsed.inputs[2].device_type.has_value());  // unreadable: not recorded
}

TEST(ModelSource, InputsGoWhereTheModelDeclaresThem) {
  ModelInfo info;
  info.inputs.resize(2);
  info.inputs[0].device_type = DeviceType::CPU;  // a CUDA model's host predicate
  EXPECT_EQ(input_device(info, 0, Device::cuda(0)), Device::cpu());
  EXPECT_EQ(input_device(info, 1, Device::cuda(0)), Device::cuda(0));
  EXPECT_EQ(input_device(info, 7, Device::cuda(1)), Device::cuda(1));
  EXPECT_EQ(input_device(info, 0, Device::cpu()), Device::cpu());
}

TEST(ModelSource, RealWrapperMatchesTheLibrary) {
  PT2RUN_REQUIRE_CORPUS();
  auto package = detail::Pt2Package::open(testing::package_path("weights_none"));
  auto files = package->model("model");
  ASSERT_NE(files.wrapper_source, nullptr);
  auto layouts = detail::parse_model_source(package->archive().read(*files.wrapper_source)).layouts();
  EXPECT_EQ(layouts.at("fc2_weight").sizes, (std::vector<int64_t>{4, 32}));
  EXPECT_EQ(layouts.at("fc2_weight").strides, (std::vector<int64_t>{1, 4}));
  // A CPU model takes its inputs on the CPU, as its generated checks say.
  const auto source = detail::parse_model_source(package->archive().read(*files.wrapper_source));
  ASSERT_FALSE(source.inputs.empty());
  EXPECT_EQ(source.inputs[0].device_type, 0);
}

// What torch.save(tensor) writes as data.pkl for a float32 [16, 8] parameter (protocol 2).
const char kSavedParameter[] =
    "\x80\x02" "ctorch._utils\n_rebuild_parameter\nq\x00" "ctorch._utils\n_rebuild_tensor_v2\nq\x01"
    "((X\x07\x00\x00\x00storageq\x02" "ctorch\nFloatStorage\nq\x03" "X\x01\x00\x00\x00" "0q\x04"
    "X\x03\x00\x00\x00" "cpuq\x05" "K\x80tq\x06QK\x00K\x10K\x08\x86q\x07K\x08K\x01\x86q\x08\x89"
    "ccollections\nOrderedDict\nq\t)Rq\ntq\x0bRq\x0c\x88h\t)Rq\r\x87q\x0eRq\x0f.";

TEST(ExternNodes, TargetsInOrderAndMalformedJson) {
  auto targets = detail::extern_node_targets(
      R"({"nodes": [{"name": "buf0", "node": {"target": "ns::a"}}, {"name": "buf2", "node": {"target": "aten::b"}}]})",
      "w.json");
  EXPECT_EQ(targets, (std::vector<std::string>{"ns::a", "aten::b"}));
  EXPECT_TRUE(detail::extern_node_targets("{}", "w.json").empty());
  EXPECT_THROW(detail::extern_node_targets("[1]", "w.json"), Error);
  EXPECT_THROW(detail::extern_node_targets(R"({"nodes": [{"name": "x"}]})", "w.json"), Error);
  EXPECT_THROW(detail::extern_node_targets(R"({"nodes": 3})", "w.json"), Error);
}

TEST(PickledStorage, ReadsTheStorageRecord) {
  std::string_view pickle(kSavedParameter, sizeof(kSavedParameter) - 1);
  auto storage = detail::read_pickled_storage(pickle, "weight_0");
  EXPECT_EQ(storage.key, "0");
  EXPECT_EQ(storage.dtype, DType::Float32);
  EXPECT_EQ(storage.numel, 128u);
}

TEST(PickledStorage, MalformedStreamsAreClearErrors) {
  std::string pickle(kSavedParameter, sizeof(kSavedParameter) - 1);
  EXPECT_NE(error_of([&] { detail::read_pickled_storage(pickle.substr(0, 60), "w"); }).find("truncated"),
            std::string::npos);
  std::string unknown_type = pickle;
  unknown_type.replace(unknown_type.find("FloatStorage"), 12, "QUInt8Storage");
  EXPECT_NE(error_of([&] { detail::read_pickled_storage(unknown_type, "w"); }).find("QUInt8Storage"),
            std::string::npos);
  std::string odd_opcode = pickle;
  odd_opcode[2] = 'i';  // INST: never written by torch.save
  EXPECT_NE(error_of([&] { detail::read_pickled_storage(odd_opcode, "w"); }).find("opcode"),
            std::string::npos);
  EXPECT_NE(error_of([&] { detail::read_pickled_storage("\x80\x02N.", "w"); }).find("no tensor storage"),
            std::string::npos);
}

}  // namespace
}  // namespace pt2run
