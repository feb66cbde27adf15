#include <gtest/gtest.h>

#include <elf.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "model/elf_image.h"
#include "model/model_library.h"
#include "package/package.h"
#include "pt2run/error.h"
#include "testing/corpus.h"

namespace pt2run {
namespace {

TEST(Package, ReadsTorchWrittenArchive) {
  PT2RUN_REQUIRE_CORPUS();
  auto package = detail::Pt2Package::open(testing::package_path("mlp"));
  EXPECT_EQ(package->model_names(), std::vector<std::string>{"model"});
  detail::ModelFiles files = package->model("model");
  ASSERT_NE(files.library, nullptr);
  ASSERT_NE(files.metadata, nullptr);
  // torch's writer aligns stored entries to 64 bytes.
  EXPECT_EQ(files.library->data_offset % 64, 0u);
  auto metadata = package->metadata(files);
  EXPECT_EQ(metadata.at("AOTI_DEVICE_KEY"), "cpu");
  EXPECT_FALSE(metadata.at("AOTI_CPU_ISA").empty());
}

TEST(Elf, ImportsAndNeededLibraries) {
  PT2RUN_REQUIRE_CORPUS();
  auto package = detail::Pt2Package::open(testing::package_path("mlp"));
  detail::ModelFiles files = package->model("model");
  std::string bytes = package->archive().read(*files.library);
  detail::ElfImage image(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), "mlp.so");
  auto needed = image.needed_libraries();
  EXPECT_NE(std::find(needed.begin(), needed.end(), "libtorch_cpu.so"), needed.end());
  auto imports = image.undefined_symbols();
  EXPECT_NE(std::find(imports.begin(), imports.end(), "aoti_torch_cpu_addmm_out"), imports.end());
  EXPECT_TRUE(detail::missing_shim_symbols(imports).empty());
  auto removed = image.remove_needed([](const std::string& lib) { return lib.starts_with("libtorch"); });
  EXPECT_EQ(removed, std::vector<std::string>{"libtorch_cpu.so"});
  needed = image.needed_libraries();
  EXPECT_EQ(std::find(needed.begin(), needed.end(), "libtorch_cpu.so"), needed.end());
  EXPECT_NE(std::find(needed.begin(), needed.end(), "libc.so.6"), needed.end());
}

TEST(Elf, GarbageIsAnError) {
  std::string bytes(4096, '\x7f');
  EXPECT_THROW(detail::ElfImage(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), "x"), Error);
  std::string header = "\x7f" "ELF";
  header.resize(64, '\0');
  header[4] = 2;  // 64-bit
  header[5] = 1;  // little-endian
  EXPECT_THROW(detail::ElfImage(reinterpret_cast<unsigned char*>(header.data()), header.size(), "x"), Error);
}

std::string mlp_library() {
  auto package = detail::Pt2Package::open(testing::package_path("mlp"));
  return package->archive().read(*package->model("model").library);
}

// A loadable segment that runs past the end of the file would be mapped with nothing behind
// it (SIGBUS when touched): refused, whether the file was cut or the header lies.
TEST(Elf, SegmentsOutsideTheFileAreRefused) {
  PT2RUN_REQUIRE_CORPUS();
  const std::string bytes = mlp_library();
  Elf64_Ehdr header;
  std::memcpy(&header, bytes.data(), sizeof(header));
  uint64_t last_load_end = 0;
  std::size_t last_load = 0;
  for (std::size_t i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr ph;
    std::memcpy(&ph, bytes.data() + header.e_phoff + i * sizeof(ph), sizeof(ph));
    if (ph.p_type == PT_LOAD && ph.p_offset + ph.p_filesz >= last_load_end) {
      last_load_end = ph.p_offset + ph.p_filesz;
      last_load = i;
    }
  }
  auto expect_refused = [](std::string image, const char* what) {
    try {
      detail::ElfImage(reinterpret_cast<unsigned char*>(image.data()), image.size(), "mlp.so");
      ADD_FAILURE() << what << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::InvalidPackage);
      EXPECT_NE(std::string(e.what()).find("lies outside the file"), std::string::npos) << e.what();
    }
  };
  // Cut inside the last segment (the headers, at the front, survive).
  expect_refused(bytes.substr(0, static_cast<std::size_t>(last_load_end) - 100), "a truncated library");
  std::string lying = bytes;
  Elf64_Phdr ph;
  const std::size_t at = header.e_phoff + last_load * sizeof(ph);
  std::memcpy(&ph, lying.data() + at, sizeof(ph));
  ph.p_filesz = lying.size() - ph.p_offset + 4096;
  ph.p_memsz = std::max(ph.p_memsz, ph.p_filesz);
  std::memcpy(lying.data() + at, &ph, sizeof(ph));
  expect_refused(lying, "a segment longer than the file");
}

// What the private copy changes so that unloading a model unloads it: no STB_GNU_UNIQUE
// symbol left, and __cxa_thread_atexit imported as pt2run's, unversioned.
TEST(Elf, PrivateCopyCanBeUnloaded) {
  PT2RUN_REQUIRE_CORPUS();
  std::string bytes = mlp_library();
  detail::ElfImage image(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), "mlp.so");
  EXPECT_GT(image.make_unique_symbols_global(), 0);
  EXPECT_EQ(image.make_unique_symbols_global(), 0);
  auto imports = image.undefined_symbols();
  ASSERT_NE(std::find(imports.begin(), imports.end(), "__cxa_thread_atexit"), imports.end());
  EXPECT_TRUE(image.redirect_import("__cxa_thread_atexit", "pt2run_model_atexit"));
  imports = image.undefined_symbols();
  EXPECT_EQ(std::find(imports.begin(), imports.end(), "__cxa_thread_atexit"), imports.end());
  EXPECT_NE(std::find(imports.begin(), imports.end(), "pt2run_model_atexit"), imports.end());
  EXPECT_FALSE(image.redirect_import("__cxa_thread_atexit", "pt2run_model_atexit"));
}

TEST(Shim, ProvidesWhatTheCorpusImports) {
  EXPECT_TRUE(detail::shim_provides("aoti_torch_empty_strided"));
  EXPECT_TRUE(detail::shim_provides("Sleef_expf8_u10"));
  EXPECT_FALSE(detail::shim_provides("aoti_torch_cpu_not_an_op"));
  EXPECT_EQ(detail::missing_shim_symbols({"aoti_torch_b_missing", "aoti_torch_a_missing", "memcpy"}),
            (std::vector<std::string>{"aoti_torch_a_missing", "aoti_torch_b_missing"}));
}

// The oneDNN ops freezing emits that pt2run lacks are torch's quantized fusions; the refusal
// says so, and what runs instead.
TEST(MissingSymbols, QuantizedOneDnnOpsSayWhatRuns) {
  const std::string advice = detail::missing_symbols_advice(
      {"aoti_torch_cpu__qconv_pointwise_tensor", "aoti_torch_cpu__qlinear_pointwise_tensor"});
  EXPECT_NE(advice.find("quantized (int8) fusions"), std::string::npos) << advice;
  EXPECT_NE(advice.find("float32, bfloat16 and float16"), std::string::npos) << advice;
  EXPECT_EQ(detail::missing_symbols_advice({"aoti_torch_cpu_geqrf"}).find("oneDNN"), std::string::npos);
}

// A fallback tools/shim_coverage.tsv refuses comes back with the table's reason.
TEST(MissingSymbols, RefusedFallbacksSayWhy) {
  const std::string backward = detail::missing_symbols_advice({"aoti_torch_cpu_avg_pool2d_backward"});
  EXPECT_NE(backward.find("aoti_torch_cpu_avg_pool2d_backward: a backward (training) op"), std::string::npos)
      << backward;
  const std::string sparse = detail::missing_symbols_advice({"aoti_torch_cpu_to_sparse"});
  EXPECT_NE(sparse.find("strided only"), std::string::npos) << sparse;
}

}  // namespace
}  // namespace pt2run
