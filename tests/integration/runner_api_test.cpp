// The runner's constant-management API in its plain cases (the weights issue covers the full
// semantics and the stress tests).

#include <cstdlib>
#include <gtest/gtest.h>

#include "pt2run/cuda.h"
#include "pt2run/pt2run.h"
#include "testing/corpus.h"

namespace pt2run {
namespace {

class RunnerApi : public ::testing::Test {
 protected:
  void SetUp() override {
    PT2RUN_REQUIRE_CORPUS();
    loader_ = std::make_unique<AOTIModelPackageLoader>(testing::package_path("mlp"));
    runner_ = loader_->get_runner();
    data_ = testing::load_case("mlp", testing::model_entry("mlp")["cases"][0]);
    for (const auto& [name, fqn] : runner_->getConstantNamesToOriginalFQNs()) name_of_[fqn] = name;
  }
  // The model's last layer: out = h @ W^T + b, where Inductor baked the small bias into a
  // kernel. With W = 0 every row of the output is b: the rows no longer depend on the input.
  std::unordered_map<std::string, Tensor> last_layer(float weight) {
    Tensor w = Tensor::empty({4, 32}, DType::Float32);
    std::fill_n(w.data<float>(), w.numel(), weight);
    return {{name_of_.at("fc3.weight"), w}};
  }
  static bool rows_identical(const Tensor& t) {
    const float* p = t.data<float>();
    for (int64_t r = 1; r < t.size(0); ++r)
      for (int64_t c = 0; c < t.size(1); ++c)
        if (p[r * t.size(1) + c] != p[c]) return false;
    return true;
  }
  std::unique_ptr<AOTIModelPackageLoader> loader_;
  AOTIModelContainerRunner* runner_ = nullptr;
  testing::Case data_;
  std::unordered_map<std::string, std::string> name_of_;
};

TEST_F(RunnerApi, ConstantNamesFqnsAndDtypes) {
  auto fqns = runner_->getConstantNamesToOriginalFQNs();
  EXPECT_EQ(fqns.size(), 5u);  // fc3.bias is small enough for Inductor to bake into a kernel
  EXPECT_TRUE(name_of_.count("fc1.weight") && name_of_.count("fc3.weight"));
  for (const auto& [name, dtype] : runner_->getConstantNamesToDtypes())
    EXPECT_EQ(dtype, dtype_code(DType::Float32)) << name;
  auto listed = loader_->get_constant_fqns();
  EXPECT_EQ(listed.front(), "fc1.bias");
  EXPECT_EQ(listed.size(), 5u);
}

TEST_F(RunnerApi, ExtractConstantsMap) {
  auto constants = runner_->extract_constants_map(false);
  ASSERT_TRUE(constants.count("fc2.weight"));
  EXPECT_EQ(constants.at("fc2.weight").size(0), 32);
  EXPECT_EQ(constants.at("fc2.weight").size(1), 64);
}

TEST_F(RunnerApi, UpdateActiveBuffer) {
  ASSERT_FALSE(rows_identical(loader_->run(data_.inputs)[0]));
  auto update = last_layer(0.f);
  runner_->update_constant_buffer(update, /*use_inactive=*/false, /*validate=*/false);
  EXPECT_TRUE(rows_identical(loader_->run(data_.inputs)[0]));
}

TEST_F(RunnerApi, UpdateInactiveThenSwap) {
  auto update = last_layer(0.f);
  // A full update: start from every current constant, then replace the last layer.
  std::unordered_map<std::string, Tensor> full;
  for (auto& [fqn, t] : runner_->extract_constants_map(false)) full[name_of_.at(fqn)] = t.clone();
  for (auto& [name, t] : update) full[name] = t;
  runner_->update_constant_buffer(full, /*use_inactive=*/true, /*validate=*/true);
  testing::expect_outputs(loader_->run(data_.inputs), data_, "before swap");
  runner_->run_const_fold(/*use_inactive=*/true);
  runner_->swap_constant_buffer();
  EXPECT_TRUE(rows_identical(loader_->run(data_.inputs)[0]));
  runner_->swap_constant_buffer();
  testing::expect_outputs(loader_->run(data_.inputs), data_, "swapped back");
  runner_->free_inactive_constant_buffer();
  testing::expect_outputs(loader_->run(data_.inputs), data_, "after free");
}

TEST_F(RunnerApi, UserManagedConstantsAreNotCopied) {
  auto update = last_layer(0.f);
  runner_->update_constant_buffer(update, false, false, /*user_managed=*/true);
  EXPECT_TRUE(rows_identical(loader_->run(data_.inputs)[0]));
  // The runner reads the caller's memory: an in-place change shows in the next run.
  Tensor& w = update.at(name_of_.at("fc3.weight"));
  std::fill_n(w.data<float>(), w.numel(), 1.0f);
  EXPECT_FALSE(rows_identical(loader_->run(data_.inputs)[0]));
}

TEST_F(RunnerApi, LoadConstantsByFqn) {
  std::unordered_map<std::string, Tensor> by_fqn;
  for (auto& [name, t] : last_layer(0.f))
    for (const auto& [fqn, n] : name_of_)
      if (n == name) by_fqn[fqn] = t;
  loader_->load_constants(by_fqn, false, false);
  EXPECT_TRUE(rows_identical(loader_->run(data_.inputs)[0]));
}

TEST_F(RunnerApi, UpdateErrorsNameTheProblem) {
  std::unordered_map<std::string, Tensor> unknown{{"no_such_constant", Tensor::zeros({1}, DType::Float32)}};
  try {
    runner_->update_constant_buffer(unknown, false, false);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::NotFound);
    EXPECT_NE(std::string(e.what()).find("no_such_constant"), std::string::npos);
  }
  std::unordered_map<std::string, Tensor> wrong_dtype{{name_of_.at("fc3.weight"), Tensor::zeros({4, 32}, DType::Float64)}};
  EXPECT_THROW(runner_->update_constant_buffer(wrong_dtype, false, false), Error);
  std::unordered_map<std::string, Tensor> by_fqn{{"fc9.weight", Tensor::zeros({1}, DType::Float32)}};
  EXPECT_THROW(loader_->load_constants(by_fqn, false, false), Error);
  // Nothing changed.
  testing::expect_outputs(loader_->run(data_.inputs), data_, "after rejected updates");
}

TEST_F(RunnerApi, CallSpecAndNames) {
  auto spec = runner_->get_call_spec();
  ASSERT_EQ(spec.size(), 2u);
  EXPECT_NE(spec[0].find("builtins.tuple"), std::string::npos) << spec[0];
  EXPECT_EQ(runner_->num_inputs(), 1u);
  EXPECT_EQ(runner_->num_outputs(), 1u);
  EXPECT_EQ(runner_->device_str(), "cpu");
}

TEST_F(RunnerApi, BlobOnAModelWithEmbeddedWeightsIsAClearError) {
  EXPECT_THROW(runner_->update_constant_buffer_from_blob("/nonexistent.blob"), Error);
}

TEST_F(RunnerApi, RunnerDirectlyFromALibraryFile) {
  // AOTIModelContainerRunnerCpu takes a .so path like torch's; the package's library,
  // extracted by hand, loads the same way.
  auto package = std::filesystem::temp_directory_path() / ("pt2run-so-" + std::to_string(::getpid()));
  std::filesystem::create_directories(package);
  auto so = package / "model.so";
  {
    auto pkg = AOTIModelPackageLoader::load_metadata_from_package(testing::package_path("mlp"), "model");
    EXPECT_EQ(pkg.at("AOTI_DEVICE_KEY"), "cpu");
  }
  std::string cmd = "cd " + package.string() + " && unzip -q -j -o " + testing::package_path("mlp") +
                    " '*.so' && mv *.so model.so";
  if (std::system(cmd.c_str()) != 0) {
    std::filesystem::remove_all(package);
    GTEST_SKIP() << "unzip is not available";
  }
  {
    AOTIModelContainerRunnerCpu runner(so.string(), 2);
    testing::expect_outputs(runner.run(data_.inputs), data_, "runner from .so");
  }
  std::filesystem::remove_all(package);
}

TEST_F(RunnerApi, SingleThreadedNeedsOneModel) {
  try {
    AOTIModelPackageLoader(testing::package_path("mlp"), "model", true, 2);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
  }
}

// CUDA graphs are for CUDA runners: a CPU runner says so (whether or not the CUDA backend
// happens to be loaded) and keeps working; its graph counters are all zero.
TEST_F(RunnerApi, CudaGraphsOnACpuRunnerAreAClearError) {
  try {
    enable_cuda_graphs(*runner_);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    EXPECT_NE(std::string(e.what()).find("cpu"), std::string::npos) << e.what();
  }
  const CudaGraphStats stats = cuda_graph_stats(*runner_);
  EXPECT_EQ(stats.graphs + stats.replays + stats.eager_runs, 0u);
  testing::expect_outputs(loader_->run(data_.inputs), data_, "after the refusal");
}

TEST_F(RunnerApi, OutsideBackendsJoinTheRegistry) {
  ASSERT_TRUE(getAOTIModelRunnerRegistry().count("cpu"));
  // A package whose device key is "xpu" loads once someone registers an "xpu" runner.
  static int created = 0;
  RegisterAOTIModelRunner xpu("xpu", [](const std::string& so, std::size_t n, const std::string& device,
                                        const std::string&, bool single)
                                         -> std::unique_ptr<AOTIModelContainerRunner> {
    ++created;
    EXPECT_EQ(device, "xpu");
    return std::make_unique<AOTIModelContainerRunnerCpu>(so, n, single);
  });
  {
    AOTIModelPackageLoader loader((testing::corpus_dir() / "failures" / "wrong_device.pt2").string());
    testing::expect_outputs(loader.run(data_.inputs), data_, "registered backend");
  }
  getAOTIModelRunnerRegistry().erase("xpu");
  EXPECT_EQ(created, 1);
}

}  // namespace
}  // namespace pt2run

namespace pt2run {
namespace {

// Model libraries that carry their own libstdc++ get no emergency exception pool (72 KiB each,
// never freed; see docs/design.md), without overriding tunables the user set.
TEST(ModelLibraries, GetNoEmergencyExceptionPool) {
  PT2RUN_REQUIRE_CORPUS();
  AOTIModelPackageLoader loader(testing::package_path("mlp"));
  const char* tunables = std::getenv("GLIBCXX_TUNABLES");
  ASSERT_NE(tunables, nullptr);
  EXPECT_NE(std::string(tunables).find("glibcxx.eh_pool.obj_count="), std::string::npos) << tunables;
}

}  // namespace
}  // namespace pt2run
