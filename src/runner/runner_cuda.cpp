// The "cuda" runner and libpt2run_cuda's registration with the core (memory backend, runner).

#include <cuda_runtime_api.h>

#include <mutex>
#include <vector>

#include "backends/cuda/cuda_backend.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/streams.h"
#include "ops/cuda_proxy_kernels.h"
#include "pt2run/cuda.h"
#include "runner/cuda_graphs.h"
#include "runner/runner_access.h"

namespace pt2run {
namespace {

// Runner streams are recycled, never destroyed: memory a run allocated is freed later on the
// stream it was allocated on, possibly after the runner is gone.
class StreamPool {
 public:
  cudaStream_t take(int32_t device) {
    {
      std::lock_guard lock(mutex_);
      for (auto it = free_.begin(); it != free_.end(); ++it) {
        if (it->device == device) {
          cudaStream_t s = it->stream;
          free_.erase(it);
          return s;
        }
      }
    }
    cuda::DeviceGuard guard(device);
    cudaStream_t s = nullptr;
    PT2RUN_CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    return s;
  }
  void give_back(int32_t device, cudaStream_t stream) {
    (void)cudaStreamSynchronize(stream);
    std::lock_guard lock(mutex_);
    free_.push_back({device, stream});
  }

 private:
  struct Entry {
    int32_t device;
    cudaStream_t stream;
  };
  std::mutex mutex_;
  std::vector<Entry> free_;
};

StreamPool& stream_pool() {
  static StreamPool* pool = new StreamPool();
  return *pool;
}

int32_t resolve_device(const std::string& device_str) {
  Device device = Device::parse(device_str);
  PT2RUN_CHECK(device.type == DeviceType::CUDA, DeviceMismatch, "the CUDA runner got device '",
               device_str, "'");
  const int count = cuda::device_count();
  PT2RUN_CHECK(count > 0, DeviceMismatch, "no usable CUDA GPU for '", device_str,
               "' (no device, or no driver)");
  const int32_t index = device.index >= 0 ? device.index : pt2run::cuda::current_device();
  PT2RUN_CHECK(index < count, DeviceMismatch, "device '", device_str, "' does not exist: this machine has ",
               count, " GPU(s), cuda:0 to cuda:", count - 1);
  return index;
}

std::unique_ptr<AOTIModelContainerRunner> create_cuda_runner(const std::string& model_so_path,
                                                             std::size_t num_models,
                                                             const std::string& device_str,
                                                             const std::string& bin_dir,
                                                             const bool run_single_threaded) {
  return std::make_unique<AOTIModelContainerRunnerCuda>(model_so_path, num_models, device_str, bin_dir,
                                                        run_single_threaded);
}

// Loading libpt2run_cuda makes CUDA tensors and CUDA packages work.
struct Registration {
  Registration() {
    cuda::register_backend();
    cuda::register_proxy_kernels();
    getAOTIModelRunnerRegistry()["cuda"] = &create_cuda_runner;
  }
} registration;

}  // namespace

AOTIModelContainerRunnerCuda::AOTIModelContainerRunnerCuda(const std::string& model_so_path,
                                                           std::size_t num_models,
                                                           const std::string& device_str,
                                                           const std::string& cubin_dir,
                                                           bool run_single_threaded)
    : AOTIModelContainerRunnerCuda(model_so_path, num_models, ResolvedDevice{resolve_device(device_str)},
                                   cubin_dir, run_single_threaded) {}

AOTIModelContainerRunnerCuda::AOTIModelContainerRunnerCuda(const std::string& model_so_path,
                                                           std::size_t num_models, ResolvedDevice resolved,
                                                           const std::string& cubin_dir,
                                                           bool run_single_threaded)
    : AOTIModelContainerRunner(model_so_path, num_models, "cuda:" + std::to_string(resolved.index), cubin_dir,
                               run_single_threaded),
      device_index_(resolved.index) {
  const int32_t device = device_index_;
  cudaStream_t stream = stream_pool().take(device);
  detail::RunnerAccess::set_default_stream(
      *this, stream, [device](void* s) {
        cuda::DeviceGuard guard(device);
        PT2RUN_CUDA_CHECK(cudaStreamSynchronize(static_cast<cudaStream_t>(s)));
      },
      [device](void* s) { stream_pool().give_back(device, static_cast<cudaStream_t>(s)); },
      [device]() -> void* { return stream_pool().take(device); });
}

AOTIModelContainerRunnerCuda::~AOTIModelContainerRunnerCuda() = default;

void AOTIModelContainerRunnerCuda::enable_cuda_graphs(const CudaGraphOptions& options) {
  PT2RUN_CHECK(options.warmup_runs >= 1, InvalidArgument,
               "CUDA graphs need at least one warm-up run per input shape (it loads the kernels and "
               "measures the memory a run needs)");
  PT2RUN_CHECK(graphs_ == nullptr, InvalidState, "CUDA graphs are already enabled on this runner");
  detail::RunnerAccess::use_single_threaded_runs(*this);
  graphs_ = std::make_shared<detail::CudaGraphRunner>(device_index_, options);
  detail::RunnerAccess::set_run_interceptor(*this, graphs_);
}

CudaGraphStats AOTIModelContainerRunnerCuda::cuda_graph_stats() const {
  return graphs_ ? graphs_->stats() : CudaGraphStats{};
}

}  // namespace pt2run

// What libpt2run's enable_cuda_graphs / cuda_graph_stats call (runner/cuda_graph_entry.cpp):
// C names it can look up once this library is loaded.
extern "C" PT2RUN_PLUGIN_API void pt2run_cuda_enable_graphs(pt2run::AOTIModelContainerRunner* runner,
                                                            const pt2run::CudaGraphOptions* options) {
  auto* cuda_runner = dynamic_cast<pt2run::AOTIModelContainerRunnerCuda*>(runner);
  PT2RUN_CHECK(cuda_runner != nullptr, InvalidArgument, "CUDA graphs need a CUDA runner; this one runs on ",
               runner->device_str());
  cuda_runner->enable_cuda_graphs(*options);
}

extern "C" PT2RUN_PLUGIN_API void pt2run_cuda_graph_stats(const pt2run::AOTIModelContainerRunner* runner,
                                                          pt2run::CudaGraphStats* stats) {
  const auto* cuda_runner = dynamic_cast<const pt2run::AOTIModelContainerRunnerCuda*>(runner);
  *stats = cuda_runner ? cuda_runner->cuda_graph_stats() : pt2run::CudaGraphStats{};
}

namespace pt2run {

namespace cuda {

int device_count() noexcept {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    (void)cudaGetLastError();
    return 0;
  }
  return count;
}

void empty_cache() { release_cached_memory(); }

}  // namespace cuda
}  // namespace pt2run
