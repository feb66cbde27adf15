#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "pt2run/export.h"
#include "pt2run/runner.h"

namespace pt2run {

namespace detail {
class CudaGraphRunner;
}

// CUDA graphs (opt-in, AOTIModelContainerRunnerCuda::enable_cuda_graphs): per input signature
// (dtypes, sizes, strides) the first warmup_runs runs are eager; the next is captured into a
// graph with static input buffers and its own memory, and every later run with that
// signature copies its inputs in, replays the graph and copies the outputs out into new
// tensors the caller owns (two outputs that shared storage no longer do). At most max_graphs
// signatures are captured; others run eagerly. A run that cannot be captured (it
// synchronizes with the host, or returns host tensors) keeps running eagerly, and
// cuda_graph_stats() says why. Changing the active constants (update, fold, swap, blob)
// drops every graph; graphs and their memory go with the runner.
struct CudaGraphOptions {
  std::size_t warmup_runs = 1;  // at least 1: loads kernels and measures the memory a run needs
  std::size_t max_graphs = 16;
};

struct CudaGraphStats {
  std::size_t graphs = 0;           // held now
  std::size_t captures = 0;         // made so far (graphs are re-captured after constant changes)
  std::size_t replays = 0;
  std::size_t eager_runs = 0;       // warm-ups, signatures beyond max_graphs, failed captures
  std::size_t failed_captures = 0;
  std::string last_failure;         // why the last failed capture failed
};

// Runs CUDA packages (AOTI_DEVICE_KEY "cuda"). Lives in libpt2run_cuda, which registers it as
// the "cuda" runner when it loads; AOTIModelPackageLoader loads that library by itself the first
// time it meets a CUDA package, so CPU-only deployments never load the CUDA runtime.
//
// Streams: run(inputs, stream) enqueues on the caller's cudaStream_t and returns without
// waiting (as libtorch). Without a stream the runner uses a stream of its own and waits for it
// before returning, so outputs are ready for any stream or the host.
//
// Errors: as AOTIModelContainerRunner; Error(DeviceMismatch) for a device index this machine
// lacks or no usable GPU.
class PT2RUN_API AOTIModelContainerRunnerCuda : public AOTIModelContainerRunner {
 public:
  // device_str: "cuda" (the current device) or "cuda:N" (any device, not only 0). cubin_dir:
  // the folder holding the package's kernel binaries (the package loader extracts them).
  explicit AOTIModelContainerRunnerCuda(const std::string& model_so_path, std::size_t num_models = 1,
                                        const std::string& device_str = "cuda",
                                        const std::string& cubin_dir = "",
                                        bool run_single_threaded = false);
  ~AOTIModelContainerRunnerCuda() override;

  // Turns on CUDA graphs (see CudaGraphOptions). Call before the first run or constant fold.
  // Graph mode runs the container single-threaded (as run_single_threaded): runs of this
  // runner are serialized, so use one runner per concurrent stream. Throws
  // Error(InvalidArgument) for num_models > 1 or warmup_runs == 0, Error(InvalidState) after
  // a run or when already on, Error(NotImplemented) for libraries from torch < 2.7.
  void enable_cuda_graphs(const CudaGraphOptions& options = {});
  // Counters of the graph mode; all zero when it is off. Thread-safe.
  CudaGraphStats cuda_graph_stats() const;

 private:
  struct ResolvedDevice {
    int32_t index;
  };
  AOTIModelContainerRunnerCuda(const std::string& model_so_path, std::size_t num_models, ResolvedDevice device,
                               const std::string& cubin_dir, bool run_single_threaded);
  int32_t device_index_;
  std::shared_ptr<detail::CudaGraphRunner> graphs_;
};

// enable_cuda_graphs / cuda_graph_stats on any runner, e.g. the one behind
// AOTIModelPackageLoader::get_runner(). These two live in libpt2run: programs that do not link
// libpt2run_cuda (the loader loads it for CUDA packages) can call them. Throws
// Error(InvalidArgument) when `runner` is not a CUDA runner.
PT2RUN_API void enable_cuda_graphs(AOTIModelContainerRunner& runner, const CudaGraphOptions& options = {});
PT2RUN_API CudaGraphStats cuda_graph_stats(const AOTIModelContainerRunner& runner);

namespace cuda {
// The number of usable GPUs; 0 without a GPU or driver (never throws).
PT2RUN_API int device_count() noexcept;
// Returns device memory pt2run keeps cached for reuse to the driver. Thread-safe.
PT2RUN_API void empty_cache();
// Whether float32 convolutions may use TF32 tensor cores (about 10 mantissa bits per product,
// much faster on Ampere and newer), as torch.backends.cudnn.allow_tf32 and with the same
// default: true. float32 matrix products never use TF32 (torch's default). Process-wide,
// thread-safe, applies to convolutions started afterwards.
PT2RUN_API void set_allow_tf32_convolution(bool allow);
PT2RUN_API bool allow_tf32_convolution();
}  // namespace cuda

}  // namespace pt2run
