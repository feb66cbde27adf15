// The libtorch baseline pt2run is measured against: torch's own AOTIModelPackageLoader on the
// same .pt2, timed the way `pt2run bench` times it (load, first run, then per-run latency with
// the outputs ready). Built only against a torch wheel's headers and libraries
// (bench/libtorch/CMakeLists.txt); pt2run itself never links libtorch.
//
// Usage: aoti_baseline PACKAGE ITERATIONS SHAPE [SHAPE...]   (SHAPE: 8x16, one per input, float32)

#include <torch/csrc/inductor/aoti_package/model_package_loader.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#if __has_include(<c10/cuda/CUDAFunctions.h>)
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

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s PACKAGE ITERATIONS SHAPE [SHAPE...]\n", argv[0]);
    return 2;
  }
  const std::string package = argv[1];
  const int iterations = std::stoi(argv[2]);
  c10::InferenceMode guard;
  auto start = Clock::now();
  torch::inductor::AOTIModelPackageLoader loader(package);
  const double load_ms = ms_since(start);
  const std::string device = loader.get_metadata()["AOTI_DEVICE_KEY"];
  const bool cuda = device == "cuda";
  auto sync = [&] {
#ifdef BASELINE_HAS_CUDA
    if (cuda) c10::cuda::device_synchronize();
#endif
  };
  std::vector<torch::Tensor> inputs;
  for (int i = 3; i < argc; ++i)
    inputs.push_back(torch::randn(parse_shape(argv[i]), torch::TensorOptions().device(cuda ? torch::kCUDA : torch::kCPU)));
  start = Clock::now();
  loader.run(inputs);
  sync();
  const double first_ms = ms_since(start);
  for (int i = 0; i < 10; ++i) loader.run(inputs);
  sync();
  std::vector<double> latency;
  for (int i = 0; i < iterations; ++i) {
    start = Clock::now();
    loader.run(inputs);
    sync();
    latency.push_back(ms_since(start));
  }
  std::sort(latency.begin(), latency.end());
  auto pct = [&](double p) { return latency[static_cast<std::size_t>(p * (latency.size() - 1))]; };
  std::printf("{\"runtime\": \"libtorch %d.%d.%d\", \"device\": \"%s\", \"load_ms\": %.3f, "
              "\"first_run_ms\": %.3f, \"p50_ms\": %.4f, \"p99_ms\": %.4f, \"min_ms\": %.4f}\n",
              TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR, TORCH_VERSION_PATCH, device.c_str(), load_ms,
              first_ms, pct(0.5), pct(0.99), latency.front());
  return 0;
}
