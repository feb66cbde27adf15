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

TEST(PackedWeights, AFrozenModelPacksItsWeightsOnceAndRepacksAfterAnUpdate) {
  PT2RUN_REQUIRE_CORPUS();
  const std::string name = "cnn_frozen";
  testing::Case data = testing::load_case(name, testing::model_entry(name)["cases"][0]);
  const PackedWeightStats before = packed_weight_stats();
  std::vector<Tensor> first;
  {
    AOTIModelPackageLoader loader(testing::package_path(name));
    first = loader.run(data.inputs);
    testing::expect_outputs(first, data, name);
    const PackedWeightStats packed = packed_weight_stats();
    // Both convolutions' weights, in oneDNN's blocked layout.
    EXPECT_GE(packed.copies, before.copies + 2);
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

}  // namespace
}  // namespace pt2run
