// The CUDA backend: device memory and copies, guards and current streams, cuBLAS GEMMs against
// the CPU backend, and CUDA packages (exported by torch on a GPU machine) against eager CUDA.
// Every test skips with a message on a machine without a GPU; scripts/cuda_device.sh runs them
// on one.

#include <gtest/gtest.h>

#include <cuda_runtime_api.h>

#include <filesystem>
#include <thread>

#include "cuda/cuda_testing.h"
#include "shim/aoti_shim_cuda.h"
#include "shim/shim_guard.h"

namespace pt2run {
namespace {

TEST(CudaMemory, CopiesRoundTripInAnyLayout) {
  PT2RUN_REQUIRE_GPU();
  Tensor host = random_matrix({7, 5}, 1);
  Tensor device = to_device(host);
  EXPECT_EQ(device.device().type, DeviceType::CUDA);
  EXPECT_EQ(max_diff(to_host(device), host), 0.0);
  // A transposed view on the device, copied device-to-device and back.
  Tensor transposed = device.as_strided({5, 7}, {1, 5}, 0);
  Tensor packed = Tensor::empty({5, 7}, DType::Float32, Device::cuda(0));
  packed.copy_(transposed);
  Tensor back = to_host(packed);
  EXPECT_EQ(back.data<float>()[1 * 7 + 2], host.data<float>()[2 * 5 + 1]);
  // Into a strided host view, and with a dtype conversion across devices.
  Tensor half = Tensor::empty({7, 5}, DType::Float16, Device::cuda(0));
  half.copy_(host);
  EXPECT_LT(max_diff(to_host(half).to(DType::Float32), host), 1e-2);
  Tensor zeros = Tensor::zeros({3, 3}, DType::Float32, Device::cuda(0));
  EXPECT_EQ(max_diff(to_host(zeros), Tensor::zeros({3, 3}, DType::Float32)), 0.0);
  cuda::empty_cache();
}

TEST(CudaMemory, OutOfMemoryIsAnError) {
  PT2RUN_REQUIRE_GPU();
  try {
    Tensor::empty({int64_t{1} << 50}, DType::Float32, Device::cuda(0));
    ADD_FAILURE() << "allocated 4 PiB";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::OutOfMemory) << e.what();
  }
  // The device stays usable.
  EXPECT_EQ(to_host(to_device(random_matrix({2}, 3))).numel(), 2);
}

TEST(CudaStreams, GuardsSetAndRestoreTheCurrentStream) {
  PT2RUN_REQUIRE_GPU();
  cudaStream_t stream = nullptr;
  ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);
  void* current = reinterpret_cast<void*>(1);
  ASSERT_EQ(aoti_torch_get_current_cuda_stream(0, &current), 0);
  EXPECT_EQ(current, nullptr);
  CUDAStreamGuardHandle guard = nullptr;
  ASSERT_EQ(aoti_torch_create_cuda_stream_guard(stream, 0, &guard), 0);
  ASSERT_EQ(aoti_torch_get_current_cuda_stream(0, &current), 0);
  EXPECT_EQ(current, stream);
  // Another thread has its own current stream.
  std::thread([] {
    void* other = reinterpret_cast<void*>(1);
    aoti_torch_get_current_cuda_stream(0, &other);
    EXPECT_EQ(other, nullptr);
  }).join();
  ASSERT_EQ(aoti_torch_delete_cuda_stream_guard(guard), 0);
  ASSERT_EQ(aoti_torch_get_current_cuda_stream(0, &current), 0);
  EXPECT_EQ(current, nullptr);
  CUDAGuardHandle device_guard = nullptr;
  ASSERT_EQ(aoti_torch_create_cuda_guard(0, &device_guard), 0);
  ASSERT_EQ(aoti_torch_delete_cuda_guard(device_guard), 0);
  cudaStreamDestroy(stream);
}

// Reference: out = beta * bias + alpha * a @ b in double on the host (a, b [B, m, k] / [B, k, n]).
Tensor reference_gemm(const Tensor& a, const Tensor& b, const Tensor& bias, double beta, double alpha) {
  Tensor x = a.to(DType::Float64), y = b.to(DType::Float64), z = bias.to(DType::Float64);
  const int64_t batch = a.dim() == 3 ? a.size(0) : 1, m = a.size(-2), k = a.size(-1), n = b.size(-1);
  std::vector<int64_t> sizes = a.dim() == 3 ? std::vector<int64_t>{batch, m, n} : std::vector<int64_t>{m, n};
  Tensor out = Tensor::empty(sizes, DType::Float64);
  for (int64_t t = 0; t < batch; ++t)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double acc = 0;
        for (int64_t p = 0; p < k; ++p) acc += x.data<double>()[(t * m + i) * k + p] * y.data<double>()[(t * k + p) * n + j];
        out.data<double>()[(t * m + i) * n + j] = beta * z.data<double>()[j] + alpha * acc;
      }
  return out;
}

// Handles as the shim sees them: heap-allocated tensors (released by the caller here).
AtenTensorHandle handle(const Tensor& t) { return reinterpret_cast<AtenTensorHandle>(new Tensor(t)); }

void addmm(const Tensor& out, const Tensor& bias, const Tensor& a, const Tensor& b, double beta, double alpha) {
  AtenTensorHandle h[] = {handle(out), handle(bias), handle(a), handle(b)};
  const bool batched = a.dim() == 3;
  AOTITorchError rc = batched ? aoti_torch_cuda_baddbmm_out(h[0], h[1], h[2], h[3], beta, alpha)
                              : aoti_torch_cuda_addmm_out(h[0], h[1], h[2], h[3], beta, alpha);
  for (AtenTensorHandle x : h) delete reinterpret_cast<Tensor*>(x);
  ASSERT_EQ(rc, 0);
}

TEST(CudaGemm, MatchesADoubleReference) {
  PT2RUN_REQUIRE_GPU();
  struct Case {
    DType dtype;
    double tolerance;
  };
  for (Case c : {Case{DType::Float32, 1e-4}, Case{DType::Float64, 1e-12}, Case{DType::Float16, 5e-2},
                 Case{DType::BFloat16, 2e-1}}) {
    SCOPED_TRACE(std::string(dtype_name(c.dtype)));
    Tensor a = random_matrix({33, 20}, 1).to(c.dtype), b = random_matrix({20, 17}, 2).to(c.dtype);
    Tensor bias = random_matrix({17}, 3).to(c.dtype);
    Tensor expected = reference_gemm(a, b, bias, 0.5, 2.0);
    Tensor out = Tensor::empty({33, 17}, c.dtype, Device::cuda(0));
    addmm(out, to_device(bias), to_device(a), to_device(b), 0.5, 2.0);
    EXPECT_LT(max_diff(to_host(out), expected), c.tolerance);
    // A column-major (transposed-view) operand is read in place.
    Tensor a_t = Tensor::empty({20, 33}, c.dtype);
    a_t.copy_(a.as_strided({20, 33}, {1, 20}, 0));
    addmm(out, to_device(bias), to_device(a_t).as_strided({33, 20}, {1, 33}, 0), to_device(b), 0.5, 2.0);
    EXPECT_LT(max_diff(to_host(out), expected), c.tolerance);
  }
  // Batched, with a broadcast bias.
  Tensor a = random_matrix({3, 8, 6}, 4), b = random_matrix({3, 6, 5}, 5), bias = random_matrix({5}, 6);
  Tensor out = Tensor::empty({3, 8, 5}, DType::Float32, Device::cuda(0));
  addmm(out, to_device(bias), to_device(a), to_device(b), 1.0, 1.0);
  EXPECT_LT(max_diff(to_host(out), reference_gemm(a, b, bias, 1.0, 1.0)), 1e-4);
  // mm(out_dtype=float32) of half-precision matrices accumulates in float.
  {
    Tensor ha = random_matrix({16, 24}, 7).to(DType::BFloat16), hb = random_matrix({24, 8}, 8).to(DType::BFloat16);
    Tensor wide = Tensor::empty({16, 8}, DType::Float32, Device::cuda(0));
    AtenTensorHandle w[] = {handle(wide), handle(to_device(ha)), handle(to_device(hb))};
    ASSERT_EQ(aoti_torch_cuda_mm_dtype_out(w[0], w[1], w[2], dtype_code(DType::Float32)), 0) << shim::last_error();
    EXPECT_LT(max_diff(to_host(wide), reference_gemm(ha.to(DType::Float32), hb.to(DType::Float32), Tensor::zeros({8}, DType::Float32), 0.0, 1.0)),
              1e-3);
    EXPECT_NE(aoti_torch_cuda_mm_dtype_out(w[0], w[1], w[2], dtype_code(DType::Float16)), 0);  // not the buffer's
    for (AtenTensorHandle x : w) delete reinterpret_cast<Tensor*>(x);
  }
  // An operand on the host is an error, not a crash.
  AtenTensorHandle h[] = {handle(out), handle(to_device(bias)), handle(a), handle(to_device(b))};
  EXPECT_NE(aoti_torch_cuda_baddbmm_out(h[0], h[1], h[2], h[3], 1.0, 1.0), 0);
  for (AtenTensorHandle x : h) delete reinterpret_cast<Tensor*>(x);
}

// The CUDA corpus is exported with torch.backends.cudnn.allow_tf32 off, so eager convolutions
// are exact float32; pt2run's are made so too for the comparison.
TEST(CudaCorpus, EveryModelMatchesEagerCuda) {
  PT2RUN_REQUIRE_CUDA_CORPUS();
  cuda::set_allow_tf32_convolution(false);
  int matched = 0, exported = 0;
  const auto manifest = testing::manifest();
  for (const auto& model : manifest["models"]) {
    const std::string name = model["name"];
    SCOPED_TRACE("model " + name);
    if (model.contains("export_error")) {
      std::printf("  %-16s torch could not export it: %s\n", name.c_str(),
                  model["export_error"].get<std::string>().c_str());
      continue;
    }
    ++exported;
    try {
      AOTIModelPackageLoader loader(testing::package_path(name));
      for (const auto& c : model["cases"]) {
        testing::Case data = testing::load_case(name, c);
        // Random ops: the reference is torch running the package after torch.manual_seed.
        if (model.contains("seed")) manual_seed(model["seed"].get<uint64_t>());
        testing::expect_outputs(run_on_device(loader, data), data, name);
      }
    } catch (const Error& e) {
      ADD_FAILURE() << e.what();
      continue;
    }
    std::printf("  %-16s matches eager CUDA\n", name.c_str());
    ++matched;
  }
  cuda::set_allow_tf32_convolution(true);
  EXPECT_EQ(matched, exported);
  EXPECT_GE(exported, 1);
}

// The same model exported for the CPU and for CUDA (same weights and inputs: the exporter
// seeds both) gives the same outputs on pt2run's two backends. PT2RUN_CPU_CORPUS_DIR names the
// CPU corpus (scripts/cuda_device.sh exports the models both have).
TEST(CudaCorpus, SameModelOnCpuAndCudaAgrees) {
  PT2RUN_REQUIRE_CUDA_CORPUS();
  const char* cpu_dir = std::getenv("PT2RUN_CPU_CORPUS_DIR");
  if (cpu_dir == nullptr || *cpu_dir == '\0') GTEST_SKIP() << "PT2RUN_CPU_CORPUS_DIR is not set";
  cuda::set_allow_tf32_convolution(false);
  int compared = 0;
  const auto manifest = testing::manifest();
  for (const auto& model : manifest["models"]) {
    const std::string name = model["name"];
    const std::filesystem::path cpu_package = std::filesystem::path(cpu_dir) / name / "model.pt2";
    if (model.contains("export_error") || !std::filesystem::exists(cpu_package)) continue;
    SCOPED_TRACE("model " + name);
    AOTIModelPackageLoader on_cpu(cpu_package.string()), on_cuda(testing::package_path(name));
    for (const auto& c : model["cases"]) {
      const testing::Case data = testing::load_case(name, c);
      const auto cpu_out = on_cpu.run(data.inputs);
      const auto cuda_out = run_on_device(on_cuda, data);
      ASSERT_EQ(cpu_out.size(), cuda_out.size());
      for (std::size_t o = 0; o < cpu_out.size(); ++o) {
        const double tol = cpu_out[o].dtype() == DType::BFloat16  ? 6e-2
                           : cpu_out[o].dtype() == DType::Float16 ? 2e-2
                                                                  : 2e-3;
        EXPECT_TRUE(testing::tensors_close(cuda_out[o], cpu_out[o], tol, tol)) << "output " << o;
      }
    }
    std::printf("  %-16s CPU and CUDA agree\n", name.c_str());
    ++compared;
  }
  cuda::set_allow_tf32_convolution(true);
  EXPECT_GE(compared, 3);
}

TEST(CudaCorpus, TwoRunnersOnTwoStreamsAtOnce) {
  PT2RUN_REQUIRE_CUDA_CORPUS();
  AOTIModelPackageLoader first(testing::package_path("mlp")), second(testing::package_path("mlp"));
  const auto entry = testing::model_entry("mlp");
  testing::Case data = testing::load_case("mlp", entry["cases"][0]);
  cudaStream_t s1 = nullptr, s2 = nullptr;
  ASSERT_EQ(cudaStreamCreateWithFlags(&s1, cudaStreamNonBlocking), cudaSuccess);
  ASSERT_EQ(cudaStreamCreateWithFlags(&s2, cudaStreamNonBlocking), cudaSuccess);
  auto work = [&](AOTIModelPackageLoader& loader, cudaStream_t stream) {
    for (int i = 0; i < 50; ++i) testing::expect_outputs(run_on_device(loader, data, stream), data, "mlp");
  };
  std::thread t1(work, std::ref(first), s1), t2(work, std::ref(second), s2);
  t1.join();
  t2.join();
  // And on the runners' own streams (no stream given).
  testing::expect_outputs(run_on_device(first, data), data, "mlp own stream");
  cudaStreamDestroy(s1);
  cudaStreamDestroy(s2);
}

// Threads sharing one runner without giving streams: each run takes a stream of the runner's
// (the first run, which may fold constants, goes alone), and every result is right.
TEST(CudaCorpus, ConcurrentRunsOnTheRunnersOwnStreams) {
  PT2RUN_REQUIRE_CUDA_CORPUS();
  for (const char* model : {"mlp", "cnn", "transformer"}) {
    AOTIModelPackageLoader loader(testing::package_path(model), "model", false, 4);
    testing::Case data = testing::load_case(model, testing::model_entry(model)["cases"][0]);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&] {
        for (int i = 0; i < 25; ++i) testing::expect_outputs(run_on_device(loader, data), data, model);
      });
    for (auto& t : threads) t.join();
  }
}

TEST(CudaCorpus, AnyDeviceIndexAndClearErrorsForMissingOnes) {
  PT2RUN_REQUIRE_CUDA_CORPUS();
  const int count = cuda::device_count();
  AOTIModelPackageLoader last(testing::package_path("mlp"), "model", false, 1, count - 1);
  EXPECT_EQ(last.get_runner()->device_str(), "cuda:" + std::to_string(count - 1));
  try {
    AOTIModelPackageLoader missing(testing::package_path("mlp"), "model", false, 1, count);
    ADD_FAILURE() << "loaded on a device that does not exist";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::DeviceMismatch) << e.what();
  }
}

}  // namespace
}  // namespace pt2run
