// enable_cuda_graphs / cuda_graph_stats for programs that do not link libpt2run_cuda: a CUDA
// runner exists only once the package loader has loaded that library, whose C entry points
// are then found by name.

#include <dlfcn.h>

#include "core/check.h"
#include "pt2run/cuda.h"

namespace pt2run {
namespace {

template <typename Fn>
Fn plugin_entry(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, name));
}

}  // namespace

void enable_cuda_graphs(AOTIModelContainerRunner& runner, const CudaGraphOptions& options) {
  using Enable = void (*)(AOTIModelContainerRunner*, const CudaGraphOptions*);
  auto enable = plugin_entry<Enable>("pt2run_cuda_enable_graphs");
  PT2RUN_CHECK(enable != nullptr, InvalidArgument, "CUDA graphs need a CUDA runner; this one runs on ",
               runner.device_str(), " (and the CUDA backend, libpt2run_cuda, is not loaded)");
  enable(&runner, &options);
}

CudaGraphStats cuda_graph_stats(const AOTIModelContainerRunner& runner) {
  using Stats = void (*)(const AOTIModelContainerRunner*, CudaGraphStats*);
  CudaGraphStats stats;
  if (auto read = plugin_entry<Stats>("pt2run_cuda_graph_stats")) read(&runner, &stats);
  return stats;
}

}  // namespace pt2run
