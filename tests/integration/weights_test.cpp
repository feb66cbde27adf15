// The constant-buffer API against torch eager outputs for two weight sets: a (as exported)
// and b (every weight replaced), on models with a column-major parameter and a buffer
// (swap), runtime constant folding (folded), and int8 / bfloat16 constants (int8_bf16).

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pt2run/pt2run.h"
#include "testing/corpus.h"

namespace pt2run {
namespace {

using WeightMap = std::unordered_map<std::string, Tensor>;

const std::vector<std::string> kSwappable = {"swap", "folded", "int8_bf16"};

class Weights : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    PT2RUN_REQUIRE_CORPUS();
    model_ = GetParam();
    loader_ = std::make_unique<AOTIModelPackageLoader>(testing::package_path(model_));
    runner_ = loader_->get_runner();
    const auto entry = testing::model_entry(model_);
    case_a_ = testing::load_case(model_, entry["cases"][0], "a");
    case_b_ = testing::load_case(model_, entry["cases"][0], "b");
    for (const auto& [name, fqn] : runner_->getConstantNamesToOriginalFQNs()) name_of_[fqn] = name;
  }
  // FQN-keyed weights -> internal names, as update_constant_buffer takes them.
  WeightMap by_name(const WeightMap& by_fqn) const {
    WeightMap result;
    for (const auto& [fqn, t] : by_fqn) result.emplace(name_of_.at(fqn), t);
    return result;
  }
  WeightMap set(const std::string& which) const { return by_name(testing::load_weights(model_, which)); }
  void expect_set(const testing::Case& c, const std::string& what) {
    testing::expect_outputs(loader_->run(c.inputs), c, model_ + ": " + what);
  }

  std::string model_;
  std::unique_ptr<AOTIModelPackageLoader> loader_;
  AOTIModelContainerRunner* runner_ = nullptr;
  testing::Case case_a_, case_b_;
  std::unordered_map<std::string, std::string> name_of_;
};

TEST_P(Weights, ExtractGivesEveryConstantByFqn) {
  auto constants = runner_->extract_constants_map(false);
  auto expected = testing::load_weights(model_, "a");
  ASSERT_EQ(constants.size(), expected.size());
  for (const auto& [fqn, t] : expected) {
    ASSERT_TRUE(constants.count(fqn)) << fqn;
    EXPECT_TRUE(testing::tensors_close(constants.at(fqn), t, 0, 0)) << fqn;
  }
  // Nothing was loaded into the inactive buffer yet.
  EXPECT_TRUE(runner_->extract_constants_map(true).empty());
}

TEST_P(Weights, UpdateActiveBuffer) {
  expect_set(case_a_, "as exported");
  auto b = set("b");
  runner_->update_constant_buffer(b, /*use_inactive=*/false, /*validate_full_updates=*/true);
  expect_set(case_b_, "after updating the active buffer");
  runner_->run_const_fold(/*use_inactive=*/false);
  expect_set(case_b_, "after folding the active buffer");
  auto a = set("a");
  runner_->update_constant_buffer(a, false, true);
  expect_set(case_a_, "after restoring");
}

TEST_P(Weights, UpdateInactiveFoldSwap) {
  auto b = set("b");
  TensorConstantMap pointers;
  for (auto& [name, t] : b) pointers.emplace(name, &t);
  runner_->update_inactive_constant_buffer(pointers);
  expect_set(case_a_, "inactive updated, not swapped");
  runner_->run_const_fold(/*use_inactive=*/true);
  expect_set(case_a_, "inactive folded, not swapped");
  auto inactive = runner_->extract_constants_map(true);
  for (const auto& [fqn, t] : testing::load_weights(model_, "b"))
    EXPECT_TRUE(testing::tensors_close(inactive.at(fqn), t, 0, 0)) << fqn;
  runner_->swap_constant_buffer();
  expect_set(case_b_, "swapped");
  runner_->swap_constant_buffer();
  expect_set(case_a_, "swapped back");
  runner_->free_inactive_constant_buffer();
  expect_set(case_a_, "after freeing the inactive buffer");
  EXPECT_TRUE(runner_->extract_constants_map(true).empty());
}

TEST_P(Weights, SwapWithoutFoldFoldsOnFirstRun) {
  auto b = set("b");
  runner_->update_constant_buffer(b, /*use_inactive=*/true, true);
  runner_->swap_constant_buffer();
  expect_set(case_b_, "swapped unfolded");
}

TEST_P(Weights, LoadConstantsByFqnThroughTheLoader) {
  auto b = testing::load_weights(model_, "b");
  loader_->load_constants(b, /*use_inactive=*/true, /*check_full_update=*/true);
  runner_->swap_constant_buffer();
  expect_set(case_b_, "loader.load_constants then swap");
}

TEST_P(Weights, FullUpdateNamesEveryMissingConstant) {
  auto b = set("b");
  // Parameters are required in a full update (buffers may be left out, as in torch).
  const std::map<std::string, std::vector<std::string>> parameters = {
      {"swap", {"fc1.weight", "fc2.weight"}}, {"folded", {"w", "b"}}, {"int8_bf16", {"bias"}}};
  std::vector<std::string> dropped;
  for (const auto& fqn : parameters.at(model_)) {
    b.erase(name_of_.at(fqn));
    dropped.push_back(name_of_.at(fqn));
  }
  try {
    runner_->update_constant_buffer(b, false, /*validate_full_updates=*/true);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::NotFound) << e.what();
    for (const auto& name : dropped) EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
  }
  expect_set(case_a_, "after the rejected update");
}

INSTANTIATE_TEST_SUITE_P(Corpus, Weights, ::testing::ValuesIn(kSwappable),
                         [](const auto& param_info) { return param_info.param; });

// RunSingleThreaded containers have one model instance, which the container's own folding
// call would take out of their pool (torch's runner then crashes on the next run): folding
// is deferred to the next run, with the same results.
TEST(WeightsSingleThreaded, FoldAndSwapKeepRunning) {
  PT2RUN_REQUIRE_CORPUS();
  AOTIModelPackageLoader loader(testing::package_path("folded"), "model", /*run_single_threaded=*/true);
  AOTIModelContainerRunner* runner = loader.get_runner();
  const auto entry = testing::model_entry("folded");
  const testing::Case a = testing::load_case("folded", entry["cases"][0], "a");
  const testing::Case b = testing::load_case("folded", entry["cases"][0], "b");
  std::unordered_map<std::string, std::string> name_of;
  for (const auto& [name, fqn] : runner->getConstantNamesToOriginalFQNs()) name_of[fqn] = name;
  auto weights = [&](const std::string& which) {
    WeightMap result;
    for (const auto& [fqn, t] : testing::load_weights("folded", which)) result.emplace(name_of.at(fqn), t);
    return result;
  };
  runner->run_const_fold(false);
  testing::expect_outputs(loader.run(a.inputs), a, "folded before the first run");
  auto set_b = weights("b");
  runner->update_constant_buffer(set_b, /*use_inactive=*/false, true);
  runner->run_const_fold(false);
  testing::expect_outputs(loader.run(b.inputs), b, "active buffer updated and folded");
  auto set_a = weights("a");
  runner->update_constant_buffer(set_a, /*use_inactive=*/true, true);
  runner->run_const_fold(true);
  runner->swap_constant_buffer();
  testing::expect_outputs(loader.run(a.inputs), a, "inactive buffer updated, folded, swapped in");
}

// ---- validation: clear errors, and the weights in use stay untouched --------------------

class WeightValidation : public Weights {};

TEST_P(WeightValidation, RejectsBadUpdatesWithoutTouchingTheWeights) {
  auto b = set("b");
  const std::string fc1 = name_of_.at("fc1.weight");
  auto expect_error = [&](WeightMap update, ErrorCode code, const std::string& mentions,
                          bool user_managed = false) {
    try {
      runner_->update_constant_buffer(update, false, false, user_managed);
      ADD_FAILURE() << "expected " << error_code_name(code) << " mentioning " << mentions;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), code) << e.what();
      EXPECT_NE(std::string(e.what()).find(mentions), std::string::npos) << e.what();
    }
    expect_set(case_a_, "after a rejected update");
  };
  // Every valid entry plus one bad one: nothing of the update may land.
  auto with = [&](const std::string& name, Tensor t) {
    WeightMap update = b;
    update[name] = std::move(t);
    return update;
  };
  expect_error(with("no_such_weight", Tensor::zeros({1}, DType::Float32)), ErrorCode::NotFound,
               "no_such_weight");
  expect_error(with(fc1, Tensor::zeros({32, 8}, DType::Float64)), ErrorCode::DTypeMismatch, "float32");
  expect_error(with(fc1, Tensor::zeros({8, 32}, DType::Float32)), ErrorCode::ShapeMismatch, "[32, 8]");
  expect_error(with(fc1, Tensor::zeros({32, 8, 1}, DType::Float32)), ErrorCode::ShapeMismatch, "[32, 8]");
  float fake[256];
  expect_error(with(fc1, Tensor::from_blob(fake, {32, 8}, DType::Float32, Device::cuda(0))),
               ErrorCode::DeviceMismatch, "cuda");
  expect_error(with(fc1, Tensor()), ErrorCode::InvalidArgument, "undefined");
  // A user-managed constant is read in place, so it must already have the kernels' layout:
  // fc2.weight is column-major in this model.
  expect_error(with(name_of_.at("fc2.weight"), Tensor::zeros({4, 32}, DType::Float32)),
               ErrorCode::InvalidArgument, "strides", /*user_managed=*/true);
}

TEST_P(WeightValidation, CopiedConstantsKeepTheKernelsLayout) {
  // torch would keep the caller's (row-major) strides and the kernels would read garbage;
  // pt2run copies into the layout the model was compiled for.
  auto before = runner_->extract_constants_map(false).at("fc2.weight");
  ASSERT_EQ(before.stride(0), 1);
  auto b = set("b");
  ASSERT_TRUE(b.at(name_of_.at("fc2.weight")).is_contiguous());
  runner_->update_constant_buffer(b, false, true);
  auto after = runner_->extract_constants_map(false).at("fc2.weight");
  EXPECT_EQ(std::vector<int64_t>(after.strides().begin(), after.strides().end()),
            std::vector<int64_t>(before.strides().begin(), before.strides().end()));
  expect_set(case_b_, "row-major update of a column-major weight");
}

TEST_P(WeightValidation, UserManagedConstantsUseTheCallersMemory) {
  auto b = set("b");
  // Lay fc2.weight out as the kernels expect (column-major).
  Tensor& fc2 = b.at(name_of_.at("fc2.weight"));
  Tensor column_major = Tensor::empty_strided({4, 32}, {1, 4}, DType::Float32);
  column_major.copy_(fc2);
  fc2 = column_major;
  runner_->update_constant_buffer(b, false, true, /*user_managed=*/true);
  expect_set(case_b_, "user-managed set b");
  // The model reads the caller's tensor: scaling the output scale shows in the next run.
  Tensor& scale = b.at(name_of_.at("scale"));
  for (int64_t i = 0; i < scale.numel(); ++i) scale.data<float>()[i] *= 2.0f;
  auto outputs = loader_->run(case_b_.inputs);
  for (int64_t i = 0; i < outputs[0].numel(); ++i)
    EXPECT_NEAR(outputs[0].data<float>()[i], 2.0f * case_b_.expected[0].data<float>()[i], 1e-4);
  // Replacing user-managed constants again and again must not pile up references.
  const long refs = scale.storage_use_count();
  for (int i = 0; i < 5; ++i) runner_->update_constant_buffer(b, false, true, true);
  EXPECT_EQ(scale.storage_use_count(), refs);
  auto a = set("a");
  runner_->update_constant_buffer(a, false, true);  // copies: the runner lets go of b
  EXPECT_LT(scale.storage_use_count(), refs);
  expect_set(case_a_, "copied set a after user-managed b");
}

TEST_P(WeightValidation, EmptyOrFreedInactiveBufferCannotBeSwappedIn) {
  try {
    runner_->swap_constant_buffer();
    ADD_FAILURE() << "swapped in an empty buffer";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidState) << e.what();
    EXPECT_NE(std::string(e.what()).find("fc1.weight"), std::string::npos) << e.what();
  }
  EXPECT_THROW(runner_->run_const_fold(/*use_inactive=*/true), Error);
  auto b = set("b");
  runner_->update_constant_buffer(b, true, true);
  runner_->free_inactive_constant_buffer();
  EXPECT_THROW(runner_->swap_constant_buffer(), Error);
  // A partial update of a freed buffer does not make it whole.
  WeightMap one{{name_of_.at("fc1.weight"), b.at(name_of_.at("fc1.weight"))}};
  runner_->update_constant_buffer(one, true, false);
  EXPECT_THROW(runner_->swap_constant_buffer(), Error);
  runner_->update_constant_buffer(b, true, true);
  runner_->swap_constant_buffer();
  expect_set(case_b_, "after refilling the freed buffer");
}

INSTANTIATE_TEST_SUITE_P(Corpus, WeightValidation, ::testing::Values(std::string("swap")),
                         [](const auto& param_info) { return param_info.param; });

// ---- weights outside the library ---------------------------------------------------------

class WeightsOutside : public ::testing::TestWithParam<std::string> {};

// True if addr lies in a mapping of `path` (/proc/self/maps): the tensor reads the file's
// pages, no copy was made.
bool mapped_from(const void* addr, const std::string& path) {
  std::ifstream maps("/proc/self/maps");
  const auto a = reinterpret_cast<uintptr_t>(addr);
  for (std::string line; std::getline(maps, line);) {
    if (line.find(path) == std::string::npos) continue;
    uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream in(line);
    in >> std::hex >> lo >> dash >> hi;
    if (a >= lo && a < hi) return true;
  }
  return false;
}

TEST_P(WeightsOutside, LoadsAndSwaps) {
  PT2RUN_REQUIRE_CORPUS();
  const std::string model = GetParam();
  const auto entry = testing::model_entry(model);
  testing::Case a = testing::load_case(model, entry["cases"][0], "a");
  testing::Case b = testing::load_case(model, entry["cases"][0], "b");
  AOTIModelPackageLoader loader(testing::package_path(model));
  if (entry["weights_outside"] == "none") {
    try {
      loader.run(a.inputs);
      ADD_FAILURE() << "ran without weights";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::InvalidState) << e.what();
      EXPECT_NE(std::string(e.what()).find("fc1.weight"), std::string::npos) << e.what();
    }
    auto weights = testing::load_weights(model, "a");
    loader.load_constants(weights, false, true);
  }
  testing::expect_outputs(loader.run(a.inputs), a, model + " set a");
  if (entry["weights_outside"] == "pickle_weights") {
    auto fc1 = loader.get_runner()->extract_constants_map(false).at("fc1.weight");
    EXPECT_TRUE(mapped_from(fc1.data_ptr(), testing::package_path(model)))
        << "pickle_weights tensors should map the package file";
  }
  auto weights_b = testing::load_weights(model, "b");
  loader.load_constants(weights_b, /*use_inactive=*/true, true);
  loader.get_runner()->run_const_fold(true);
  loader.get_runner()->swap_constant_buffer();
  testing::expect_outputs(loader.run(b.inputs), b, model + " set b");
}

INSTANTIATE_TEST_SUITE_P(Corpus, WeightsOutside,
                         ::testing::Values(std::string("weights_none"), std::string("weights_blob"),
                                           std::string("weights_pickle"), std::string("weights_mmap")),
                         [](const auto& param_info) { return param_info.param; });

TEST(WeightsOutside, BlobCannotBeLoadedTwice) {
  PT2RUN_REQUIRE_CORPUS();
  AOTIModelPackageLoader loader(testing::package_path("weights_blob"));
  // The blob is the package entry; a second load would leave the first tensors dangling.
  auto dir = std::filesystem::temp_directory_path() / ("pt2run-blob-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto blob = dir / "w.blob";
  { std::ofstream(blob) << std::string(4096, '\0'); }
  try {
    loader.get_runner()->update_constant_buffer_from_blob(blob.string());
    ADD_FAILURE() << "second blob load accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidState) << e.what();
  }
  std::filesystem::remove_all(dir);
}

TEST(WeightsOutside, WeightlessLibraryWithASeparateBlobFile) {
  PT2RUN_REQUIRE_CORPUS();
  // What a deployment without the .pt2 looks like: the library and its weights file side by
  // side, extracted from the package with unzip.
  auto dir = std::filesystem::temp_directory_path() / ("pt2run-weightless-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string package = testing::package_path("weights_blob");
  ASSERT_EQ(std::system(("unzip -q -o -j '" + package + "' '*.so' '*.blob' -d '" + dir.string() + "'").c_str()), 0);
  std::string so, blob;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    if (f.path().extension() == ".so") so = f.path().string();
    if (f.path().extension() == ".blob") blob = f.path().string();
  }
  ASSERT_FALSE(so.empty() || blob.empty());
  testing::Case a = testing::load_case("weights_blob", testing::model_entry("weights_blob")["cases"][0]);
  AOTIModelContainerRunnerCpu runner(so);
  EXPECT_THROW(runner.run(a.inputs), Error);  // no weights yet
  runner.update_constant_buffer_from_blob(blob);
  testing::expect_outputs(runner.run(a.inputs), a, "weightless library + blob file");
  std::filesystem::remove_all(dir);
}

// ---- packages from memory ----------------------------------------------------------------

std::vector<char> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(PackageFromMemory, RunsAndTheBufferMayGo) {
  PT2RUN_REQUIRE_CORPUS();
  for (const std::string model : {"mlp", "weights_pickle", "weights_blob"}) {
    testing::Case c = testing::load_case(model, testing::model_entry(model)["cases"][0]);
    std::unique_ptr<AOTIModelPackageLoader> loader;
    {
      std::vector<char> bytes = read_file(testing::package_path(model));
      loader = std::make_unique<AOTIModelPackageLoader>(PackageBuffer{bytes.data(), bytes.size(), model + " bytes"});
      std::fill(bytes.begin(), bytes.end(), 0);  // the loader must not read it any more
    }
    testing::expect_outputs(loader->run(c.inputs), c, model + " from memory");
  }
}

TEST(PackageFromMemory, GarbageIsAClearError) {
  std::string garbage(1000, 'x');
  try {
    AOTIModelPackageLoader loader(PackageBuffer{garbage.data(), garbage.size(), "garbage"});
    ADD_FAILURE() << "loaded garbage";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidPackage) << e.what();
    EXPECT_NE(std::string(e.what()).find("garbage"), std::string::npos) << e.what();
  }
  EXPECT_THROW(AOTIModelPackageLoader(PackageBuffer{nullptr, 10}), Error);
}

}  // namespace
}  // namespace pt2run
