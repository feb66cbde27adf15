#pragma once

#include <cstddef>
#include <string>

#include "pt2run/export.h"
#include "pt2run/runner.h"

namespace pt2run {

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
};

namespace cuda {
// The number of usable GPUs; 0 without a GPU or driver (never throws).
PT2RUN_API int device_count() noexcept;
// Returns device memory pt2run keeps cached for reuse to the driver. Thread-safe.
PT2RUN_API void empty_cache();
}  // namespace cuda

}  // namespace pt2run
