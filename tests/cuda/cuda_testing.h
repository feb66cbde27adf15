#pragma once

// Helpers shared by the CUDA tests: skipping without a GPU or CUDA corpus, host/device copies,
// random data and comparisons.

#include <gtest/gtest.h>

#include <cuda_runtime_api.h>

#include <cmath>
#include <cstdlib>
#include <random>

#include "pt2run/cuda.h"
#include "pt2run/pt2run.h"
#include "testing/corpus.h"

namespace pt2run {

#define PT2RUN_REQUIRE_GPU()                                                                  \
  do {                                                                                        \
    if (cuda::device_count() == 0)                                                            \
      GTEST_SKIP() << "no CUDA GPU here: CUDA tests skipped (scripts/cuda_device.sh runs them " \
                      "on a GPU machine)";                                                    \
  } while (0)

inline std::vector<int64_t> sizes_of(const Tensor& t) { return {t.sizes().begin(), t.sizes().end()}; }

inline Tensor to_device(const Tensor& t, Device device = Device::cuda(0)) {
  Tensor d = Tensor::empty(sizes_of(t), t.dtype(), device);
  d.copy_(t);
  return d;
}

inline Tensor to_host(const Tensor& t) {
  Tensor h = Tensor::empty(sizes_of(t), t.dtype());
  h.copy_(t);
  return h;
}

inline Tensor random_matrix(std::vector<int64_t> sizes, uint32_t seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> dist;
  Tensor t = Tensor::empty(sizes, DType::Float32);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(gen);
  return t;
}

inline double max_diff(const Tensor& a, const Tensor& b) {
  Tensor x = a.to(DType::Float64), y = b.to(DType::Float64);
  double worst = 0;
  for (int64_t i = 0; i < x.numel(); ++i)
    worst = std::max(worst, std::abs(x.data<double>()[i] - y.data<double>()[i]));
  return worst;
}

// CUDA packages from tools/export_corpus.py --device cuda (PT2RUN_CUDA_CORPUS_DIR).
inline bool use_cuda_corpus() {
  const char* dir = std::getenv("PT2RUN_CUDA_CORPUS_DIR");
  if (dir == nullptr || *dir == '\0') return false;
  setenv("PT2RUN_CORPUS_DIR", dir, 1);
  return testing::corpus_available();
}

#define PT2RUN_REQUIRE_CUDA_CORPUS()                                                       \
  do {                                                                                     \
    PT2RUN_REQUIRE_GPU();                                                                  \
    if (!use_cuda_corpus())                                                                \
      GTEST_SKIP() << "PT2RUN_CUDA_CORPUS_DIR is not set to a CUDA corpus "               \
                      "(tools/export_corpus.py OUT --device cuda, on a GPU machine)";      \
  } while (0)

inline std::vector<Tensor> run_on_device(AOTIModelPackageLoader& loader, const testing::Case& data,
                                  void* stream = nullptr) {
  std::vector<Tensor> inputs;
  for (const Tensor& t : data.inputs) inputs.push_back(to_device(t));
  std::vector<Tensor> outputs = loader.run(inputs, stream);
  if (stream) cudaStreamSynchronize(static_cast<cudaStream_t>(stream));
  for (Tensor& t : outputs) t = to_host(t);
  return outputs;
}

}  // namespace pt2run
