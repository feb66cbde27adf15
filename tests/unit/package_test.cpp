#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>

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

TEST(Shim, ProvidesWhatTheCorpusImports) {
  EXPECT_TRUE(detail::shim_provides("aoti_torch_empty_strided"));
  EXPECT_TRUE(detail::shim_provides("Sleef_expf8_u10"));
  EXPECT_FALSE(detail::shim_provides("aoti_torch_cpu_not_an_op"));
  EXPECT_EQ(detail::missing_shim_symbols({"aoti_torch_b_missing", "aoti_torch_a_missing", "memcpy"}),
            (std::vector<std::string>{"aoti_torch_a_missing", "aoti_torch_b_missing"}));
}

}  // namespace
}  // namespace pt2run
