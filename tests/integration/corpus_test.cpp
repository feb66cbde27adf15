// Every corpus model, every case: pt2run's outputs match torch eager within per-dtype
// tolerances.

#include <gtest/gtest.h>

#include "pt2run/pt2run.h"
#include "testing/corpus.h"

namespace pt2run {
namespace {

using testing::corpus_dir;

// Models whose packages pt2run must refuse (failure_test), or that need custom ops registered
// first (custom_op_test).
bool expected_to_fail(const std::string& model) {
  return model == "missing_op" || model == "custom_op";
}

TEST(Corpus, EveryModelMatchesEager) {
  PT2RUN_REQUIRE_CORPUS();
  int models_run = 0;
  const auto manifest = testing::manifest();
  for (const auto& model : manifest["models"]) {
    const std::string name = model["name"];
    if (expected_to_fail(name)) continue;
    SCOPED_TRACE("model " + name);
    AOTIModelPackageLoader loader(testing::package_path(name));
    if (model.value("weights_outside", "") == "none") {
      // Shipped without weights: the service supplies them.
      auto weights = testing::load_weights(name, "a");
      loader.load_constants(weights, /*use_inactive=*/false, /*check_full_update=*/true);
    }
    for (const auto& c : model["cases"]) {
      testing::Case data = testing::load_case(name, c);
      // Random ops: the reference is torch running the package after torch.manual_seed.
      if (model.contains("seed")) manual_seed(model["seed"].get<uint64_t>());
      testing::expect_outputs(loader.run(data.inputs), data, name + "/" + c["dir"].get<std::string>());
    }
    ++models_run;
  }
  EXPECT_GE(models_run, static_cast<int>(manifest["models"].size()) - 2);
}

TEST(Corpus, DynamicBatchRunsAtEverySize) {
  PT2RUN_REQUIRE_CORPUS();
  AOTIModelPackageLoader loader(testing::package_path("mlp"));
  const auto entry = testing::model_entry("mlp");
  for (const auto& c : entry["cases"]) {
    testing::Case data = testing::load_case("mlp", c);
    auto outputs = loader.run(data.inputs);
    EXPECT_EQ(outputs[0].size(0), data.inputs[0].size(0));
    testing::expect_outputs(outputs, data, c["dir"]);
  }
}

TEST(Corpus, OutputAliasingAnInputSharesItsStorage) {
  PT2RUN_REQUIRE_CORPUS();
  AOTIModelPackageLoader loader(testing::package_path("aliasing"));
  testing::Case data = testing::load_case("aliasing", testing::model_entry("aliasing")["cases"][0]);
  auto outputs = loader.run(data.inputs);
  testing::expect_outputs(outputs, data, "aliasing");
  // forward returns (x, x[:, :2], x * 2): the first two view the caller's input.
  EXPECT_TRUE(outputs[0].shares_storage_with(data.inputs[0]));
  EXPECT_TRUE(outputs[1].shares_storage_with(data.inputs[0]));
  EXPECT_FALSE(outputs[2].shares_storage_with(data.inputs[0]));
}

TEST(Corpus, BoxedRunTakesTheInputs) {
  PT2RUN_REQUIRE_CORPUS();
  AOTIModelPackageLoader loader(testing::package_path("mlp"));
  testing::Case data = testing::load_case("mlp", testing::model_entry("mlp")["cases"][0]);
  std::vector<Tensor> inputs = data.inputs;
  const long before = data.inputs[0].storage_use_count();
  auto outputs = loader.boxed_run(std::move(inputs));
  EXPECT_TRUE(inputs.empty());
  EXPECT_EQ(data.inputs[0].storage_use_count(), before - 1);
  testing::expect_outputs(outputs, data, "boxed_run");
}

TEST(Corpus, RunSingleThreaded) {
  PT2RUN_REQUIRE_CORPUS();
  AOTIModelPackageLoader loader(testing::package_path("transformer"), "model",
                                /*run_single_threaded=*/true);
  testing::Case data = testing::load_case("transformer", testing::model_entry("transformer")["cases"][0]);
  testing::expect_outputs(loader.run(data.inputs), data, "single-threaded");
}

TEST(Corpus, DeflatedPackageLoads) {
  PT2RUN_REQUIRE_CORPUS();
  AOTIModelPackageLoader loader((corpus_dir() / "failures" / "deflated.pt2").string());
  testing::Case data = testing::load_case("mlp", testing::model_entry("mlp")["cases"][0]);
  testing::expect_outputs(loader.run(data.inputs), data, "deflated package");
}

TEST(Corpus, LibtorchFreeExportLoads) {
  PT2RUN_REQUIRE_CORPUS();
  // "buffers" is exported with aot_inductor.link_libtorch=False; the others name libtorch.
  AOTIModelPackageLoader loader(testing::package_path("buffers"));
  EXPECT_EQ(loader.get_metadata().at("AOTI_DEVICE_KEY"), "cpu");
}

}  // namespace
}  // namespace pt2run
