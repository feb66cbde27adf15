// CUDA graphs: every CUDA corpus model gives eager's outputs when replayed; constant updates
// (active, and inactive + fold + swap: the weights API on CUDA) re-capture; the shape bound, caller streams, misuse and memory release.

#include <gtest/gtest.h>

#include "cuda/cuda_testing.h"

namespace pt2run {
namespace {

std::unique_ptr<AOTIModelPackageLoader> graph_loader(const std::string& model, const CudaGraphOptions& options = {}) {
  auto loader = std::make_unique<AOTIModelPackageLoader>(testing::package_path(model));
  enable_cuda_graphs(*loader->get_runner(), options);
  return loader;
}

TEST(CudaGraphs, EveryModelMatchesEagerWhenReplayed) {
  PT2RUN_REQUIRE_CUDA_CORPUS();
  cuda::set_allow_tf32_convolution(false);
  int replayed = 0;
  const auto manifest = testing::manifest();
  for (const auto& model : manifest["models"]) {
    const std::string name = model["name"];
    if (model.contains("export_error")) continue;
    SCOPED_TRACE("model " + name);
    auto loader = graph_loader(name);
    // Each case (input shape) three times: warm-up, capture + replay, replay.
    for (int round = 0; round < 3; ++round) {
      for (const auto& c : model["cases"]) {
        testing::Case data = testing::load_case(name, c);
        if (model.contains("seed")) manual_seed(model["seed"].get<uint64_t>());
        testing::expect_outputs(run_on_device(*loader, data), data, name + " round " + std::to_string(round));
      }
    }
    const CudaGraphStats stats = cuda_graph_stats(*loader->get_runner());
    const std::size_t shapes = model["cases"].size();
    std::printf("  %-16s %zu graph(s), %zu replays, %zu eager runs%s%s\n", name.c_str(), stats.graphs,
                stats.replays, stats.eager_runs, stats.failed_captures ? ", capture failed: " : "",
                stats.last_failure.c_str());
    if (stats.last_failure.find("runs on host copies") != std::string::npos ||
        stats.last_failure.find("new Philox offset") != std::string::npos) {
      // A model calling a fallback that runs on the host, or a random op (a replay would
      // repeat its draws), cannot be captured: refused once, with the function's name, then
      // run eagerly (its outputs were checked above).
      EXPECT_EQ(stats.failed_captures, 1u);
      EXPECT_EQ(stats.replays, 0u);
      continue;
    }
    EXPECT_EQ(stats.failed_captures, 0u) << stats.last_failure;
    // Cases that share a shape share a graph.
    EXPECT_GE(stats.replays, 2 * shapes - stats.graphs);
    replayed += stats.replays > 0;
  }
  cuda::set_allow_tf32_convolution(true);
  EXPECT_GE(replayed, 1);
}

TEST(CudaGraphs, ConstantUpdatesRecaptureWithTheNewWeights) {
  PT2RUN_REQUIRE_CUDA_CORPUS();
  auto graphs = graph_loader("mlp");
  AOTIModelPackageLoader eager(testing::package_path("mlp"));
  const testing::Case data = testing::load_case("mlp", testing::model_entry("mlp")["cases"][0]);
  for (int i = 0; i < 3; ++i) run_on_device(*graphs, data);
  ASSERT_EQ(cuda_graph_stats(*graphs->get_runner()).captures, 1u);
  // Halve every weight, in both runners.
  std::unordered_map<std::string, std::string> name_of;
  for (const auto& [name, fqn] : eager.get_runner()->getConstantNamesToOriginalFQNs()) name_of[fqn] = name;
  std::unordered_map<std::string, Tensor> original, halved;
  for (const auto& [fqn, t] : eager.get_runner()->extract_constants_map(false)) {
    original.emplace(name_of.at(fqn), to_device(to_host(t)));
    Tensor host = to_host(t).to(DType::Float64);
    for (int64_t i = 0; i < host.numel(); ++i) host.data<double>()[i] *= 0.5;
    halved.emplace(name_of.at(fqn), to_device(host.to(t.dtype())));
  }
  eager.get_runner()->update_constant_buffer(halved, false, true);
  graphs->get_runner()->update_constant_buffer(halved, false, true);
  EXPECT_EQ(cuda_graph_stats(*graphs->get_runner()).graphs, 0u) << "the old graphs saw the old weights";
  const auto expected = run_on_device(eager, data);
  for (int i = 0; i < 3; ++i) {
    const auto got = run_on_device(*graphs, data);
    for (std::size_t o = 0; o < got.size(); ++o) EXPECT_LT(max_diff(got[o], expected[o]), 1e-5) << "run " << i;
  }
  EXPECT_EQ(cuda_graph_stats(*graphs->get_runner()).captures, 2u);
  // The original weights back through the inactive buffer: update, fold, swap, on CUDA.
  for (AOTIModelPackageLoader* loader : {&eager, graphs.get()}) {
    loader->get_runner()->update_constant_buffer(original, /*use_inactive=*/true, true);
    loader->get_runner()->run_const_fold(true);
    loader->get_runner()->swap_constant_buffer();
  }
  testing::expect_outputs(run_on_device(eager, data), data, "eager, original weights swapped back in");
  for (int i = 0; i < 3; ++i) testing::expect_outputs(run_on_device(*graphs, data), data, "graphs, swapped back");
  EXPECT_EQ(cuda_graph_stats(*graphs->get_runner()).captures, 3u);
}

TEST(CudaGraphs, CallerStreamsAndTheShapeBound) {
  PT2RUN_REQUIRE_CUDA_CORPUS();
  const auto entry = testing::model_entry("mlp");
  auto loader = graph_loader("mlp", {.warmup_runs = 2, .max_graphs = 1});
  cudaStream_t s1 = nullptr, s2 = nullptr;
  ASSERT_EQ(cudaStreamCreateWithFlags(&s1, cudaStreamNonBlocking), cudaSuccess);
  ASSERT_EQ(cudaStreamCreateWithFlags(&s2, cudaStreamNonBlocking), cudaSuccess);
  const testing::Case data = testing::load_case("mlp", entry["cases"][0]);
  for (int i = 0; i < 6; ++i) testing::expect_outputs(run_on_device(*loader, data, i % 2 ? s1 : s2), data, "mlp");
  CudaGraphStats stats = cuda_graph_stats(*loader->get_runner());
  EXPECT_EQ(stats.eager_runs, 2u);
  EXPECT_EQ(stats.replays, 4u);
  // A second shape beyond max_graphs runs eagerly, correctly.
  Tensor bigger = Tensor::empty({data.inputs[0].size(0) + 3, data.inputs[0].size(1)}, data.inputs[0].dtype());
  for (int64_t i = 0; i < bigger.numel(); ++i) bigger.data<float>()[i] = static_cast<float>(i % 7) * 0.25f;
  AOTIModelPackageLoader eager(testing::package_path("mlp"));
  const auto expected = eager.run({to_device(bigger)});
  for (int i = 0; i < 3; ++i) {
    const auto got = loader->run({to_device(bigger)});
    EXPECT_LT(max_diff(to_host(got[0]), to_host(expected[0])), 1e-6);
  }
  stats = cuda_graph_stats(*loader->get_runner());
  EXPECT_EQ(stats.graphs, 1u);
  EXPECT_EQ(stats.eager_runs, 5u);
  cudaStreamDestroy(s1);
  cudaStreamDestroy(s2);
}

TEST(CudaGraphs, MisuseIsAClearError) {
  PT2RUN_REQUIRE_CUDA_CORPUS();
  auto expect_code = [](ErrorCode code, auto&& call) {
    try {
      call();
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), code) << e.what();
    }
  };
  AOTIModelPackageLoader used(testing::package_path("mlp"));
  const testing::Case data = testing::load_case("mlp", testing::model_entry("mlp")["cases"][0]);
  run_on_device(used, data);
  expect_code(ErrorCode::InvalidState, [&] { enable_cuda_graphs(*used.get_runner()); });
  AOTIModelPackageLoader pooled(testing::package_path("mlp"), "model", false, /*num_runners=*/2);
  expect_code(ErrorCode::InvalidArgument, [&] { enable_cuda_graphs(*pooled.get_runner()); });
  AOTIModelPackageLoader fresh(testing::package_path("mlp"));
  expect_code(ErrorCode::InvalidArgument, [&] { enable_cuda_graphs(*fresh.get_runner(), {.warmup_runs = 0}); });
  enable_cuda_graphs(*fresh.get_runner());
  expect_code(ErrorCode::InvalidState, [&] { enable_cuda_graphs(*fresh.get_runner()); });
  testing::expect_outputs(run_on_device(fresh, data), data, "still runs");
}

TEST(CudaGraphs, MemoryGoesWithTheRunner) {
  PT2RUN_REQUIRE_CUDA_CORPUS();
  const testing::Case data = testing::load_case("cnn", testing::model_entry("cnn")["cases"][0]);
  auto cycle = [&] {
    auto loader = graph_loader("cnn");
    for (int i = 0; i < 4; ++i) run_on_device(*loader, data);
    EXPECT_EQ(cuda_graph_stats(*loader->get_runner()).graphs, 1u);
  };
  auto free_bytes = [] {
    cudaDeviceSynchronize();
    cuda::empty_cache();
    std::size_t free = 0, total = 0;
    cudaMemGetInfo(&free, &total);
    return static_cast<double>(free);
  };
  cycle();  // first-use costs (kernels, library handles) stay
  const double before = free_bytes();
  for (int i = 0; i < 3; ++i) cycle();
  EXPECT_LT(before - free_bytes(), 8.0 * (1 << 20)) << "graph memory was not released";
}

}  // namespace
}  // namespace pt2run
