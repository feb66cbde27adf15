// The libtorch baseline pt2run is measured against: torch's own AOTIModelPackageLoader on the
// same .pt2, timed the way `pt2run bench` times it (load, first run, then per-run latency with
// the outputs ready). Built only against a torch wheel's headers and libraries
// (bench/libtorch/CMakeLists.txt); pt2run itself never links libtorch.
//
// Usage: aoti_baseline PACKAGE ITERATIONS [--threads T] [--concurrency C] SHAPE [SHAPE...]
//   SHAPE: 8x16 (float32) or int64:1x128, one per input. ITERATIONS 0 measures a cold start:
//   load, one run, exit. --concurrency C: C threads over C model instances (num_runners), as
//   `pt2run bench --concurrency C`. --threads T: intra-op threads (torch::set_num_threads).

#include <torch/csrc/inductor/aoti_package/model_package_loader.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

// CPU wheels ship c10/cuda headers without their generated macros header.
#if __has_include(<c10/cuda/CUDAFunctions.h>) && __has_include(<c10/cuda/impl/cuda_cmake_macros.h>)
#include <c10/cuda/CUDAFunctions.h>
#define BASELINE_HAS_CUDA 1
#endif

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::vector<int64_t> parse_shape(const std::string& text) {
  std::vector<int64_t> sizes;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t x = text.find('x', pos);
    sizes.push_back(std::stoll(text.substr(pos, x == std::string::npos ? std::string::npos : x - pos)));
    if (x == std::string::npos) break;
    pos = x + 1;
  }
  return sizes;
}

}  // namespace

double peak_rss_mib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

int main(int argc, char** argv) {
  std::vector<std::string> shapes;
  int threads = 0, concurrency = 1;
  for (int i = 3; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--threads" && i + 1 < argc) {
      threads = std::stoi(argv[++i]);
    } else if (arg == "--concurrency" && i + 1 < argc) {
      concurrency = std::stoi(argv[++i]);
    } else {
      shapes.push_back(arg);
    }
  }
  if (argc < 3 || shapes.empty() || concurrency < 1) {
    std::fprintf(stderr, "usage: %s PACKAGE ITERATIONS [--threads T] [--concurrency C] SHAPE [SHAPE...]\n", argv[0]);
    return 2;
  }
  if (threads > 0) torch::set_num_threads(threads);
  const std::string package = argv[1];
  const int iterations = std::stoi(argv[2]);
  c10::InferenceMode guard;
  auto start = Clock::now();
  torch::inductor::AOTIModelPackageLoader loader(package, "model", false, static_cast<size_t>(concurrency));
  const double load_ms = ms_since(start);
  const std::string device = loader.get_metadata()["AOTI_DEVICE_KEY"];
  const bool cuda = device == "cuda";
  auto sync = [&] {
#ifdef BASELINE_HAS_CUDA
    if (cuda) c10::cuda::device_synchronize();
#endif
  };
  std::vector<torch::Tensor> inputs;
  const auto options = torch::TensorOptions().device(cuda ? torch::kCUDA : torch::kCPU);
  for (const std::string& shape : shapes) {
    if (shape.rfind("int64:", 0) == 0) {
      inputs.push_back(torch::zeros(parse_shape(shape.substr(6)), options.dtype(torch::kLong)));
    } else {
      inputs.push_back(torch::randn(parse_shape(shape), options));
    }
  }
  start = Clock::now();
  loader.run(inputs);
  sync();
  const double first_ms = ms_since(start);
  std::vector<double> latency;
  double wall_ms = 0;
  if (iterations > 0) {
    for (int i = 0; i < 10; ++i) loader.run(inputs);
    sync();
    std::mutex mutex;
    std::atomic<int> started{0};
    const auto bench_start = Clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < concurrency; ++t) {
      workers.emplace_back([&] {
        // A new thread has no current CUDA context until a runtime call makes the primary one
        // current; the model's kernels launch through the driver API, which needs one.
        sync();
        std::vector<double> mine;
        while (started.fetch_add(1) < iterations) {
          const auto t0 = Clock::now();
          loader.run(inputs);
          sync();
          mine.push_back(ms_since(t0));
        }
        std::lock_guard lock(mutex);
        latency.insert(latency.end(), mine.begin(), mine.end());
      });
    }
    for (auto& w : workers) w.join();
    wall_ms = ms_since(bench_start);
  }
  std::sort(latency.begin(), latency.end());
  auto pct = [&](double p) {
    return latency.empty() ? 0.0 : latency[static_cast<std::size_t>(p * (latency.size() - 1))];
  };
  std::printf("{\"runtime\": \"libtorch %d.%d.%d\", \"device\": \"%s\", \"load_ms\": %.3f, "
              "\"first_run_ms\": %.3f, \"p50_ms\": %.4f, \"p99_ms\": %.4f, \"min_ms\": %.4f, "
              "\"concurrency\": %d, \"throughput_per_s\": %.2f, \"peak_rss_mib\": %.1f, \"latencies_ms\": [",
              TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR, TORCH_VERSION_PATCH, device.c_str(), load_ms, first_ms,
              pct(0.5), pct(0.99), pct(0.0), concurrency,
              wall_ms > 0 ? static_cast<double>(latency.size()) / (wall_ms / 1000.0) : 0.0, peak_rss_mib());
  for (std::size_t i = 0; i < latency.size(); ++i) std::printf("%s%.4f", i ? ", " : "", latency[i]);
  std::printf("]}\n");
  return 0;
}
