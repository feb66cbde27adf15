#include "runner/cuda_graphs.h"

#include "backends/cuda/cuda_check.h"
#include "backends/cuda/streams.h"
#include "core/layout.h"

namespace pt2run::detail {
namespace {

// Room beyond what the warm-up run allocated (a capture allocates the same buffers, in the
// same order; the slack only absorbs rounding).
constexpr std::size_t kArenaSlack = 1 << 16;

class MeterScope {
 public:
  explicit MeterScope(std::size_t* counter) { cuda::set_allocation_meter(counter); }
  ~MeterScope() { cuda::set_allocation_meter(nullptr); }
};

void destroy_quietly(cudaGraph_t graph) {
  if (graph) (void)cudaGraphDestroy(graph);
  (void)cudaGetLastError();
}

}  // namespace

struct CudaGraphRunner::Entry {
  std::size_t warmups = 0;
  std::size_t arena_bytes = 0;
  bool failed = false;
  Tensor arena;
  cuda::CaptureArena arena_view;
  std::vector<Tensor> static_inputs;
  std::vector<Tensor> static_outputs;
  cudaGraphExec_t exec = nullptr;
  cudaEvent_t done = nullptr;  // recorded after each replay's outputs are copied out
  bool replayed = false;

  // The buffers go after the work that uses them; the device is current (drop_all).
  ~Entry() {
    if (done) {
      if (replayed) (void)cudaEventSynchronize(done);
      (void)cudaEventDestroy(done);
    }
    if (exec) (void)cudaGraphExecDestroy(exec);
  }
};

CudaGraphRunner::CudaGraphRunner(int32_t device, const CudaGraphOptions& options)
    : device_(device), options_(options) {}

CudaGraphRunner::~CudaGraphRunner() { drop_all(); }

CudaGraphRunner::Key CudaGraphRunner::key_of(const std::vector<Tensor>& inputs) {
  Key key;
  for (const Tensor& t : inputs) {
    key.push_back(dtype_code(t.dtype()));
    key.push_back(t.dim());
    key.insert(key.end(), t.sizes().begin(), t.sizes().end());
    key.insert(key.end(), t.strides().begin(), t.strides().end());
  }
  return key;
}

std::vector<Tensor> CudaGraphRunner::run(AOTIModelContainerRunner& runner, std::vector<Tensor>&& inputs,
                                         void* stream) {
  std::lock_guard lock(mutex_);
  cuda::DeviceGuard guard(device_);
  auto own = static_cast<cudaStream_t>(RunnerAccess::default_stream(runner));
  cudaStream_t caller = stream ? static_cast<cudaStream_t>(stream) : own;
  const Key key = key_of(inputs);
  Entry* entry = nullptr;
  if (auto it = entries_.find(key); it != entries_.end()) {
    entry = it->second.get();
  } else if (entries_.size() < options_.max_graphs) {
    entry = entries_.emplace(key, std::make_unique<Entry>()).first->second.get();
  }
  if (entry == nullptr || entry->failed) return eager(runner, std::move(inputs), stream, nullptr);
  if (entry->exec == nullptr) {
    if (entry->warmups < options_.warmup_runs) {
      ++entry->warmups;
      return eager(runner, std::move(inputs), stream, entry);
    }
    if (!capture(runner, *entry, inputs, own, caller)) return eager(runner, std::move(inputs), stream, nullptr);
  }
  std::vector<Tensor> outputs = replay(*entry, inputs, caller);
  // Without a stream of the caller's, outputs are ready on return (as eager runs).
  if (stream == nullptr) PT2RUN_CUDA_CHECK(cudaStreamSynchronize(own));
  return outputs;
}

std::vector<Tensor> CudaGraphRunner::eager(AOTIModelContainerRunner& runner, std::vector<Tensor>&& inputs,
                                           void* stream, Entry* measure) {
  ++stats_.eager_runs;
  if (measure == nullptr) return RunnerAccess::run_eager(runner, std::move(inputs), stream);
  std::size_t bytes = 0;
  std::vector<Tensor> outputs;
  {
    MeterScope meter(&bytes);
    outputs = RunnerAccess::run_eager(runner, std::move(inputs), stream);
  }
  measure->arena_bytes = std::max(measure->arena_bytes, bytes);
  return outputs;
}

bool CudaGraphRunner::capture(AOTIModelContainerRunner& runner, Entry& entry, const std::vector<Tensor>& inputs,
                              cudaStream_t capture_stream, cudaStream_t caller) {
  try {
    if (caller != capture_stream) {
      cudaEvent_t ready = nullptr;
      PT2RUN_CUDA_CHECK(cudaEventCreateWithFlags(&ready, cudaEventDisableTiming));
      (void)cudaEventRecord(ready, caller);
      (void)cudaStreamWaitEvent(capture_stream, ready, 0);
      (void)cudaEventDestroy(ready);
    }
    {
      // Allocated and filled on the capture stream, before the capture begins.
      cuda::StreamGuard on_capture_stream(capture_stream, device_);
      for (const Tensor& t : inputs) {
        Tensor copy = Tensor::empty_strided({t.sizes().begin(), t.sizes().end()},
                                            {t.strides().begin(), t.strides().end()}, t.dtype(), t.device());
        copy.copy_(t);
        entry.static_inputs.push_back(std::move(copy));
      }
      // Carving starts one alignment unit in: no carved pointer equals the arena's own, which
      // the allocator knows as a real allocation (freeing a carved buffer must stay a no-op).
      const std::size_t size = entry.arena_bytes + kArenaSlack + cuda::kArenaAlignment;
      entry.arena = Tensor::empty({static_cast<int64_t>(size)}, DType::UInt8, Device::cuda(device_));
      entry.arena_view = {device_, static_cast<std::byte*>(entry.arena.data_ptr()), size, cuda::kArenaAlignment};
    }
    std::vector<Tensor> aliases = entry.static_inputs;  // the model takes these handles; the storage stays ours
    PT2RUN_CUDA_CHECK(cudaStreamBeginCapture(capture_stream, cudaStreamCaptureModeThreadLocal));
    std::vector<Tensor> outputs;
    cuda::set_capture_arena(&entry.arena_view);
    try {
      outputs = RunnerAccess::run_eager(runner, std::move(aliases), capture_stream);
    } catch (...) {
      cuda::set_capture_arena(nullptr);
      cudaGraph_t broken = nullptr;
      (void)cudaStreamEndCapture(capture_stream, &broken);
      destroy_quietly(broken);
      throw;
    }
    cuda::set_capture_arena(nullptr);
    cudaGraph_t graph = nullptr;
    const cudaError_t ended = cudaStreamEndCapture(capture_stream, &graph);
    if (ended != cudaSuccess) {
      destroy_quietly(graph);
      detail::fail(ErrorCode::ModelFailure, "the run could not be captured: ", cudaGetErrorString(ended),
                   " (it synchronizes or uses another stream)");
    }
    for (const Tensor& out : outputs) {
      if (out.defined() && out.device() != Device::cuda(device_)) {
        destroy_quietly(graph);
        detail::fail(ErrorCode::NotImplemented, "the model returns a tensor on ", out.device().str(),
                     ", which a CUDA graph cannot produce");
      }
    }
    const cudaError_t instantiated = cudaGraphInstantiate(&entry.exec, graph, 0);
    destroy_quietly(graph);
    PT2RUN_CUDA_CHECK(instantiated);
    PT2RUN_CUDA_CHECK(cudaEventCreateWithFlags(&entry.done, cudaEventDisableTiming));
    entry.static_outputs = std::move(outputs);
    ++stats_.captures;
    return true;
  } catch (const Error& e) {
    (void)cudaStreamSynchronize(capture_stream);
    (void)cudaGetLastError();
    entry.failed = true;
    entry.static_inputs.clear();
    entry.static_outputs.clear();
    entry.arena = Tensor();
    if (entry.exec) {
      (void)cudaGraphExecDestroy(entry.exec);
      entry.exec = nullptr;
    }
    ++stats_.failed_captures;
    stats_.last_failure = e.what();
    return false;
  }
}

std::vector<Tensor> CudaGraphRunner::replay(Entry& entry, const std::vector<Tensor>& inputs, cudaStream_t caller) {
  // The previous replay may have run on another stream: its outputs must be copied out
  // before the graph overwrites them.
  if (entry.replayed) PT2RUN_CUDA_CHECK(cudaStreamWaitEvent(caller, entry.done, 0));
  cuda::StreamGuard on_caller(caller, device_);
  for (std::size_t i = 0; i < inputs.size(); ++i) entry.static_inputs[i].copy_(inputs[i]);
  PT2RUN_CUDA_CHECK(cudaGraphLaunch(entry.exec, caller));
  std::vector<Tensor> outputs;
  outputs.reserve(entry.static_outputs.size());
  for (const Tensor& out : entry.static_outputs) {
    if (!out.defined()) {
      outputs.emplace_back();
      continue;
    }
    Tensor fresh = empty_like(out, out.dtype());
    fresh.copy_(out);
    outputs.push_back(std::move(fresh));
  }
  PT2RUN_CUDA_CHECK(cudaEventRecord(entry.done, caller));
  entry.replayed = true;
  ++stats_.replays;
  return outputs;
}

void CudaGraphRunner::constants_changed() noexcept {
  std::lock_guard lock(mutex_);
  drop_all();
}

void CudaGraphRunner::drop_all() noexcept {
  int previous = 0;
  (void)cudaGetDevice(&previous);
  (void)cudaSetDevice(device_);
  entries_.clear();
  (void)cudaSetDevice(previous);
}

CudaGraphStats CudaGraphRunner::stats() const {
  std::lock_guard lock(mutex_);
  CudaGraphStats s = stats_;
  s.graphs = 0;
  for (const auto& [key, entry] : entries_) s.graphs += entry->exec != nullptr ? 1 : 0;
  return s;
}

}  // namespace pt2run::detail
