#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "backends/cuda/cuda_backend.h"
#include "pt2run/cuda.h"
#include "runner/runner_access.h"

namespace pt2run::detail {

// CUDA graphs for one runner: per input signature (dtypes, sizes, strides), warm-up runs
// run eagerly and measure the memory a run allocates; the next run is captured into a graph
// whose inputs are static buffers and whose allocations come from an arena of that size
// (cuda_backend.h); later runs copy the inputs in, replay, and copy the outputs out into
// fresh tensors the caller owns. A shape that cannot be captured (the model synchronizes, or
// returns host tensors) runs eagerly from then on, and the reason is kept in the stats.
// Any change to the active constants drops every graph: they have the old addresses baked
// in. Runs are serialized (graph mode uses the container's single-threaded run).
class CudaGraphRunner final : public RunInterceptor {
 public:
  CudaGraphRunner(int32_t device, const CudaGraphOptions& options);
  ~CudaGraphRunner() override;

  std::vector<Tensor> run(AOTIModelContainerRunner& runner, std::vector<Tensor>&& inputs,
                          void* stream) override;
  void constants_changed() noexcept override;
  CudaGraphStats stats() const;

 private:
  struct Entry;
  using Key = std::vector<int64_t>;
  static Key key_of(const std::vector<Tensor>& inputs);
  std::vector<Tensor> eager(AOTIModelContainerRunner& runner, std::vector<Tensor>&& inputs, void* stream,
                            Entry* measure);
  bool capture(AOTIModelContainerRunner& runner, Entry& entry, const std::vector<Tensor>& inputs,
               cudaStream_t capture_stream, cudaStream_t caller);
  std::vector<Tensor> replay(Entry& entry, const std::vector<Tensor>& inputs, cudaStream_t caller);
  void drop_all() noexcept;

  const int32_t device_;
  const CudaGraphOptions options_;
  mutable std::mutex mutex_;
  std::map<Key, std::unique_ptr<Entry>> entries_;
  CudaGraphStats stats_;
};

}  // namespace pt2run::detail
