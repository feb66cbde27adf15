// Hot weight swap under load: eight threads run without pause while another thread writes
// the other weight set into the inactive buffer, folds it and swaps it in, again and again.
// Every output must be exactly one set's output, never a mix. Runs under TSan in CI.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "pt2run/pt2run.h"
#include "testing/corpus.h"

namespace pt2run {
namespace {

bool matches(const std::vector<Tensor>& outputs, const testing::Case& c) {
  if (outputs.size() != c.expected.size()) return false;
  for (std::size_t j = 0; j < outputs.size(); ++j)
    if (!testing::tensors_close(outputs[j], c.expected[j], c.rtol[j], c.atol[j])) return false;
  return true;
}

void hot_swap(const std::string& model, int swaps) {
  const auto entry = testing::model_entry(model);
  const testing::Case a = testing::load_case(model, entry["cases"][0], "a");
  const testing::Case b = testing::load_case(model, entry["cases"][0], "b");
  // A mix of the two sets must not pass for either: the sets' outputs differ.
  ASSERT_FALSE(testing::tensors_close(a.expected[0], b.expected[0], a.rtol[0], a.atol[0]));
  AOTIModelPackageLoader loader(testing::package_path(model), "model", false, /*num_runners=*/4);
  AOTIModelContainerRunner* runner = loader.get_runner();
  std::unordered_map<std::string, std::string> name_of;
  for (const auto& [name, fqn] : runner->getConstantNamesToOriginalFQNs()) name_of[fqn] = name;
  std::unordered_map<std::string, Tensor> sets[2];
  for (int s = 0; s < 2; ++s)
    for (auto& [fqn, t] : testing::load_weights(model, s == 0 ? "a" : "b")) sets[s].emplace(name_of.at(fqn), t);

  std::atomic<bool> done{false};
  std::atomic<int> saw_a{0}, saw_b{0}, mixed{0}, errors{0};
  std::vector<std::thread> runners;
  for (int t = 0; t < 8; ++t) {
    runners.emplace_back([&] {
      while (!done.load()) {
        try {
          auto outputs = loader.run(a.inputs);
          if (matches(outputs, a)) ++saw_a;
          else if (matches(outputs, b)) ++saw_b;
          else ++mixed;
        } catch (const std::exception& e) {
          ++errors;
          ADD_FAILURE() << e.what();
        }
      }
    });
  }
  std::thread updater([&] {
    try {
      for (int i = 0; i < swaps; ++i) {
        auto& next = sets[(i + 1) % 2];  // b first: a is what the package holds
        runner->update_constant_buffer(next, /*use_inactive=*/true, /*validate_full_updates=*/true);
        runner->run_const_fold(/*use_inactive=*/true);
        runner->swap_constant_buffer();
        std::this_thread::yield();
      }
    } catch (const std::exception& e) {
      ++errors;
      ADD_FAILURE() << e.what();
    }
    done = true;
  });
  updater.join();
  for (auto& t : runners) t.join();
  EXPECT_EQ(mixed.load(), 0) << "outputs matching neither weight set";
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GT(saw_a.load(), 0);
  EXPECT_GT(saw_b.load(), 0);
  // After an even number of swaps the package's own weights are active again.
  EXPECT_TRUE(matches(loader.run(a.inputs), swaps % 2 == 0 ? a : b));
}

TEST(HotSwap, FoldedModelUnderEightRunningThreads) {
  PT2RUN_REQUIRE_CORPUS();
  hot_swap("folded", 100);
}

TEST(HotSwap, LayoutSensitiveModelUnderEightRunningThreads) {
  PT2RUN_REQUIRE_CORPUS();
  hot_swap("swap", 100);
}

}  // namespace
}  // namespace pt2run
