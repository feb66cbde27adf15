// Packages and inputs pt2run must refuse: each gives one clear pt2run::Error, never a crash.

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <iterator>

#include "pt2run/pt2run.h"
#include "testing/corpus.h"

namespace pt2run {
namespace {

using testing::corpus_dir;

// Runs fn, expecting pt2run::Error with `code` and a message containing every fragment.
template <class Fn>
void expect_error(Fn&& fn, ErrorCode code, std::initializer_list<std::string> fragments) {
  try {
    fn();
    ADD_FAILURE() << "expected pt2run::Error " << error_code_name(code);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    for (const auto& f : fragments) EXPECT_NE(std::string(e.what()).find(f), std::string::npos)
        << "message lacks '" << f << "': " << e.what();
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A file under the test's own temporary directory, removed with the fixture.
class PackageFailure : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pt2run-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& bytes) {
    auto path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(PackageFailure, MissingFile) {
  expect_error([&] { AOTIModelPackageLoader("/nonexistent/model.pt2"); }, ErrorCode::NotFound,
               {"/nonexistent/model.pt2"});
}

TEST_F(PackageFailure, NotAZip) {
  auto path = write("text.pt2", "this is not a zip archive, just some text\n");
  expect_error([&] { AOTIModelPackageLoader{path}; }, ErrorCode::InvalidPackage, {"not a .pt2 package"});
  auto empty = write("empty.pt2", "");
  expect_error([&] { AOTIModelPackageLoader{empty}; }, ErrorCode::InvalidPackage, {"too small"});
}

TEST_F(PackageFailure, TruncatedZip) {
  PT2RUN_REQUIRE_CORPUS();
  std::string bytes = read_file(testing::package_path("mlp"));
  // Cut anywhere: inside the central directory, the library, the first entry.
  for (std::size_t keep : {bytes.size() - 10, bytes.size() / 2, std::size_t{100}}) {
    auto path = write("truncated.pt2", bytes.substr(0, keep));
    expect_error([&] { AOTIModelPackageLoader{path}; }, ErrorCode::InvalidPackage, {"truncated.pt2"});
  }
}

TEST_F(PackageFailure, CorruptLibraryBytes) {
  PT2RUN_REQUIRE_CORPUS();
  std::string bytes = read_file(testing::package_path("mlp"));
  const std::size_t so = bytes.find("\x7f" "ELF");  // the model library's stored bytes
  ASSERT_NE(so, std::string::npos);
  for (std::size_t i = 0; i < 64; ++i) bytes[so + 4096 + i] ^= 0x5A;
  auto path = write("corrupt.pt2", bytes);
  expect_error([&] { AOTIModelPackageLoader{path}; }, ErrorCode::InvalidPackage, {"CRC"});
}

TEST_F(PackageFailure, UnknownModelNameListsTheModels) {
  PT2RUN_REQUIRE_CORPUS();
  expect_error([&] { AOTIModelPackageLoader(testing::package_path("mlp"), "encoder"); },
               ErrorCode::NotFound, {"no model named 'encoder'", "it holds: model"});
  EXPECT_EQ(AOTIModelPackageLoader::list_models(testing::package_path("mlp")),
            std::vector<std::string>{"model"});
}

TEST_F(PackageFailure, MissingOpIsNamedBeforeLoading) {
  PT2RUN_REQUIRE_CORPUS();
  expect_error([&] { AOTIModelPackageLoader(testing::package_path("missing_op")); },
               ErrorCode::MissingSymbol, {"aoti_torch_cpu__adaptive_avg_pool2d_backward", "missing_op"});
}

TEST_F(PackageFailure, ProxyExecutorOpIsNamedAtLoad) {
  PT2RUN_REQUIRE_CORPUS();
  // torch.library custom ops nobody registered here: AOTInductor routes them through its
  // proxy executor. (custom_op_test registers them and runs the model.)
  unregister_op("pt2run_test::twice");
  unregister_op("pt2run_test::affine");
  expect_error([&] { AOTIModelPackageLoader(testing::package_path("custom_op")); },
               ErrorCode::UnsupportedPackage,
               {"pt2run_test::twice", "pt2run_test::affine", "proxy executor", "register_op", "custom_op"});
  ModelInfo info = inspect_model(testing::package_path("custom_op"));
  ASSERT_EQ(info.proxy_ops.size(), 2u);
  EXPECT_EQ(info.proxy_ops[0].symbol, "pt2run_test::twice");
  EXPECT_FALSE(info.proxy_ops[0].supported);
  EXPECT_FALSE(info.runs_here);
}

TEST_F(PackageFailure, EveryMissingSymbolIsNamed) {
  PT2RUN_REQUIRE_CORPUS();
  expect_error(
      [&] { AOTIModelPackageLoader((corpus_dir() / "failures" / "renamed_symbols.pt2").string()); },
      ErrorCode::MissingSymbol, {"2 function(s)", "aoti_torch_cpu_addmm_ouZ", "aoti_torch_get_strideZ"});
}

TEST_F(PackageFailure, CpuIsaTheHostLacks) {
  PT2RUN_REQUIRE_CORPUS();
  const auto path = (corpus_dir() / "failures" / "wrong_isa.pt2").string();
  auto metadata = AOTIModelPackageLoader::load_metadata_from_package(path, "model");
  EXPECT_NE(metadata.at("AOTI_CPU_ISA").find("AMX_FP16"), std::string::npos);
  try {
    AOTIModelPackageLoader loader(path);
    GTEST_SKIP() << "this CPU has every feature the fixture names";
  } catch (const Error&) {
  }
  expect_error([&] { AOTIModelPackageLoader{path}; }, ErrorCode::UnsupportedPackage,
               {"CPU feature", "this host's CPU lacks it", "AVX512"});
}

TEST_F(PackageFailure, OtherMachineAndPlatform) {
  PT2RUN_REQUIRE_CORPUS();
  expect_error(
      [&] { AOTIModelPackageLoader((corpus_dir() / "failures" / "wrong_machine.pt2").string()); },
      ErrorCode::UnsupportedPackage, {"platform 'darwin'", "machine 'aarch64'", "NEON"});
}

TEST_F(PackageFailure, DeviceWithoutARunner) {
  PT2RUN_REQUIRE_CORPUS();
  expect_error(
      [&] { AOTIModelPackageLoader((corpus_dir() / "failures" / "wrong_device.pt2").string()); },
      ErrorCode::UnsupportedPackage, {"device 'xpu'", "runners for: "});
}

// A pinned package loads only if it is the file the pin names; a malformed pin is the caller's
// error, whatever the file.
TEST_F(PackageFailure, PinnedSha256) {
  PT2RUN_REQUIRE_CORPUS();
  const std::string path = testing::package_path("mlp");
  const std::string digest = package_sha256(path);
  ASSERT_EQ(digest.size(), 64u);
  LoaderOptions options;
  options.expect_sha256 = digest;
  EXPECT_NO_THROW(AOTIModelPackageLoader(path, options));
  for (char& c : options.expect_sha256) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_NO_THROW(AOTIModelPackageLoader(path, options));  // any case
  options.expect_sha256 = package_sha256(testing::package_path("cnn"));
  expect_error([&] { AOTIModelPackageLoader(path, options); }, ErrorCode::InvalidPackage,
               {"has SHA-256 " + digest, "not the expected " + options.expect_sha256});
  expect_error([&] { check_package_sha256(path, options.expect_sha256); }, ErrorCode::InvalidPackage, {digest});
  options.expect_sha256 = "abc";
  expect_error([&] { AOTIModelPackageLoader(path, options); }, ErrorCode::InvalidArgument, {"64 hex digits"});
  // From memory: the buffer's digest.
  const std::string bytes = read_file(path);
  PackageBuffer buffer{bytes.data(), bytes.size(), "mlp in memory"};
  options.expect_sha256 = digest;
  EXPECT_NO_THROW(AOTIModelPackageLoader(buffer, options));
  std::string other = bytes;
  other[other.size() / 2] ^= 1;
  PackageBuffer changed{other.data(), other.size(), "changed mlp"};
  expect_error([&] { AOTIModelPackageLoader(changed, options); }, ErrorCode::InvalidPackage, {"not the expected"});
}

class InputFailure : public ::testing::Test {
 protected:
  void SetUp() override {
    PT2RUN_REQUIRE_CORPUS();
    loader_ = std::make_unique<AOTIModelPackageLoader>(testing::package_path("mlp"));
  }
  std::unique_ptr<AOTIModelPackageLoader> loader_;
};

TEST_F(InputFailure, WrongNumberOfInputs) {
  Tensor x = Tensor::zeros({2, 16}, DType::Float32);
  expect_error([&] { loader_->run({x, x}); }, ErrorCode::InvalidArgument,
               {"takes 1 input(s) but run() got 2"});
  expect_error([&] { loader_->run({}); }, ErrorCode::InvalidArgument, {"got 0"});
}

TEST_F(InputFailure, WrongDtype) {
  Tensor x = Tensor::zeros({2, 16}, DType::Float64);
  expect_error([&] { loader_->run({x}); }, ErrorCode::DTypeMismatch, {"dtype", "input 0"});
}

TEST_F(InputFailure, WrongShape) {
  expect_error([&] { loader_->run({Tensor::zeros({2, 15}, DType::Float32)}); },
               ErrorCode::ShapeMismatch, {"input 0"});
  expect_error([&] { loader_->run({Tensor::zeros({65, 16}, DType::Float32)}); },
               ErrorCode::ShapeMismatch, {"too large"});
  // Wrong rank: the model's own checks index sizes by the rank it expects; pt2run's padded
  // size arrays turn that into a clean error rather than an out-of-bounds read.
  for (const std::vector<int64_t>& sizes : {std::vector<int64_t>{}, std::vector<int64_t>{16},
                                            std::vector<int64_t>{2, 3, 16}})
    expect_error([&] { loader_->run({Tensor::zeros(sizes, DType::Float32)}); },
                 ErrorCode::ShapeMismatch, {"input 0"});
}

TEST_F(InputFailure, WrongDevice) {
  float fake = 0;
  // Never dereferenced: the runner rejects the device before the model sees it.
  Tensor x = Tensor::from_blob(&fake, {1, 16}, DType::Float32, Device::cuda(0));
  expect_error([&] { loader_->run({x}); }, ErrorCode::DeviceMismatch, {"cuda:0", "runs on cpu"});
}

TEST_F(InputFailure, UndefinedInput) {
  expect_error([&] { loader_->run({Tensor()}); }, ErrorCode::InvalidArgument, {"undefined"});
}

TEST_F(InputFailure, RunnerStillWorksAfterErrors) {
  EXPECT_THROW(loader_->run({Tensor::zeros({2, 15}, DType::Float32)}), Error);
  auto out = loader_->run({Tensor::zeros({2, 16}, DType::Float32)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].size(0), 2);
}

}  // namespace
}  // namespace pt2run
