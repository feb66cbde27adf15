// One loader, num_models = 4, eight threads running at once: every output is checked.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "pt2run/pt2run.h"
#include "testing/corpus.h"

namespace pt2run {
namespace {

void run_from_threads(const std::string& model, int iterations) {
  const auto entry = testing::model_entry(model);
  std::vector<testing::Case> cases;
  for (const auto& c : entry["cases"]) cases.push_back(testing::load_case(model, c));
  AOTIModelPackageLoader loader(testing::package_path(model), "model", false, /*num_runners=*/4);
  std::atomic<int> failures{0};
  std::atomic<int> checked{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < iterations; ++i) {
        const testing::Case& c = cases[static_cast<std::size_t>(t + i) % cases.size()];
        try {
          auto outputs = loader.run(c.inputs);
          for (std::size_t j = 0; j < outputs.size(); ++j)
            if (!testing::tensors_close(outputs[j], c.expected[j], c.rtol[j], c.atol[j])) ++failures;
          ++checked;
        } catch (const std::exception&) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(checked.load(), 8 * iterations);
}

TEST(Concurrency, EightThreadsFourModelsMlp) {
  PT2RUN_REQUIRE_CORPUS();
  run_from_threads("mlp", 50);
}

TEST(Concurrency, EightThreadsFourModelsTransformer) {
  PT2RUN_REQUIRE_CORPUS();
  run_from_threads("transformer", 10);
}

TEST(Concurrency, EightThreadsFourModelsCnn) {
  PT2RUN_REQUIRE_CORPUS();
  run_from_threads("cnn", 10);
}

}  // namespace
}  // namespace pt2run
