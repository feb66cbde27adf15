// Constant weights packed once into the kernels' layout: kept across runs, never used after
// the constants change, dropped with the model.

#include <gtest/gtest.h>

#include "pt2run/pt2run.h"
#include "testing/corpus.h"

namespace pt2run {
namespace {

// Every constant of the active buffer scaled by `factor` (new tensors, same shapes), keyed by
// internal name as update_constant_buffer takes them.
std::unordered_map<std::string, Tensor> scaled_constants(AOTIModelContainerRunner& runner, double factor) {
  std::unordered_map<std::string, std::string> name_of;
  for (const auto& [name, fqn] : runner.getConstantNamesToOriginalFQNs()) name_of[fqn] = name;
  std::unordered_map<std::string, Tensor> scaled;
  for (const auto& [fqn, t] : runner.extract_constants_map(false)) {
    Tensor copy = t.to(DType::Float64);
    double* p = copy.data<double>();
    for (int64_t i = 0; i < copy.numel(); ++i) p[i] *= factor;
    scaled.emplace(name_of.at(fqn), copy.to(t.dtype()));
  }
  return scaled;
}

// A model and the weights it must have packed on its first run (in oneDNN's blocked layouts).
struct Packs {
  std::string model;
  std::size_t min_copies;
};

void PrintTo(const Packs& p, std::ostream* os) { *os << p.model; }

class PackedWeights : public ::testing::TestWithParam<Packs> {};

TEST_P(PackedWeights, PackedOnceAndRepackedAfterAnUpdate) {
  PT2RUN_REQUIRE_CORPUS();
  const std::string name = GetParam().model;
  testing::Case data = testing::load_case(name, testing::model_entry(name)["cases"][0]);
  const PackedWeightStats before = packed_weight_stats();
  std::vector<Tensor> first;
  {
    AOTIModelPackageLoader loader(testing::package_path(name));
    first = loader.run(data.inputs);
    testing::expect_outputs(first, data, name);
    const PackedWeightStats packed = packed_weight_stats();
    EXPECT_GE(packed.copies, before.copies + GetParam().min_copies);
    EXPECT_GT(packed.bytes, before.bytes);
    testing::expect_outputs(loader.run(data.inputs), data, name);
    EXPECT_EQ(packed_weight_stats().copies, packed.copies) << "a second run packed again";

    // New constants in place of the old: the copies of the old ones must not be used.
    AOTIModelContainerRunner& runner = *loader.get_runner();
    auto doubled = scaled_constants(runner, 2.0);
    runner.update_constant_buffer(doubled, /*use_inactive=*/false, /*validate_full_update=*/false);
    const std::vector<Tensor> after = loader.run(data.inputs);
    // The reference: a fresh model given the same constants before it ever ran.
    AOTIModelPackageLoader fresh(testing::package_path(name));
    fresh.get_runner()->update_constant_buffer(doubled, false, false);
    const std::vector<Tensor> expected = fresh.run(data.inputs);
    ASSERT_EQ(after.size(), expected.size());
    EXPECT_TRUE(testing::tensors_close(after[0], expected[0], 1e-5, 1e-6));
    EXPECT_FALSE(testing::tensors_close(after[0], first[0], 1e-5, 1e-6))
        << "the update did not change the outputs: packed copies of the old weights were used";
  }
  EXPECT_EQ(packed_weight_stats().copies, before.copies) << "the model's packed copies outlived it";
}

// Convolutions (both of the frozen cnn's) and linear layers (both of linear_wide's: the small
// corpus transformers' are below the size where packing pays, blas.cpp).
INSTANTIATE_TEST_SUITE_P(Models, PackedWeights,
                         ::testing::Values(Packs{"cnn_frozen", 2}, Packs{"linear_wide", 2}),
                         [](const auto& test_info) { return test_info.param.model; });

// Packing off: no copies, the same outputs; back on, the next load packs again.
TEST(PackedWeightsSwitch, OffMakesNoCopiesAndTheSameOutputs) {
  PT2RUN_REQUIRE_CORPUS();
  const std::string name = "linear_wide";
  testing::Case data = testing::load_case(name, testing::model_entry(name)["cases"][0]);
  const std::size_t before = packed_weight_stats().copies;
  set_packed_weights(false);
  {
    AOTIModelPackageLoader loader(testing::package_path(name));
    testing::expect_outputs(loader.run(data.inputs), data, name);
    EXPECT_EQ(packed_weight_stats().copies, before);
  }
  set_packed_weights(true);
  AOTIModelPackageLoader loader(testing::package_path(name));
  testing::expect_outputs(loader.run(data.inputs), data, name);
  EXPECT_GT(packed_weight_stats().copies, before);
}

// A batch-dynamic model: batch sizes on both sides of the packing threshold (2 rows run on
// dnnl_sgemm, 3 and 8 on the packed weights) match eager, in any order; a batch size seen
// before packs nothing new, and no run packs per batch size what one copy serves.
TEST(PackedWeightsDynamic, EveryBatchSizeMatchesEagerAndRepeatsPackNothing) {
  PT2RUN_REQUIRE_CORPUS();
  const std::string name = "linear_wide";
  const auto cases = testing::model_entry(name)["cases"];
  ASSERT_GE(cases.size(), 3u);
  const std::size_t before = packed_weight_stats().copies;
  AOTIModelPackageLoader loader(testing::package_path(name));
  for (const auto& entry : cases) {
    testing::Case data = testing::load_case(name, entry);
    testing::expect_outputs(loader.run(data.inputs), data, name);
  }
  const std::size_t copies = packed_weight_stats().copies;
  EXPECT_GE(copies, before + 2);
  for (const auto& entry : cases) {
    testing::Case data = testing::load_case(name, entry);
    testing::expect_outputs(loader.run(data.inputs), data, name);
  }
  EXPECT_EQ(packed_weight_stats().copies, copies);
}

}  // namespace
}  // namespace pt2run
