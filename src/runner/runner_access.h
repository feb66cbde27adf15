#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pt2run/runner.h"
#include "package/model_source.h"
#include "runner/constant_buffers.h"

namespace pt2run::detail {

// What the package loader and device runners tell a runner beyond the public API.
class ProxyExecutor;

// Takes over run() for a device runner (the CUDA runner's graph capture and replay). Gets the
// validated inputs; runs the model itself through RunnerAccess::run_eager. Told of every
// change to the constants, which graphs have baked in.
class RunInterceptor {
 public:
  virtual ~RunInterceptor() = default;
  virtual std::vector<Tensor> run(AOTIModelContainerRunner& runner, std::vector<Tensor>&& inputs,
                                  void* stream) = 0;
  virtual void constants_changed() noexcept = 0;
};

struct RunnerAccess {
  // The ops the model runs through AOTInductor's proxy executor (shared: the package loader
  // builds it before it creates the runner, to refuse missing ops early).
  // A device runner's own stream for runs given none: `wait` blocks until a stream is idle
  // (after each such run), `release` hands one back when the runner goes, `make` gives another
  // for a run that starts while the others are in use (concurrent runs get a stream each).
  PT2RUN_PLUGIN_API static void set_default_stream(AOTIModelContainerRunner& runner, void* stream,
                                 std::function<void(void*)> wait, std::function<void(void*)> release,
                                 std::function<void*()> make);
  PT2RUN_PLUGIN_API static void* default_stream(const AOTIModelContainerRunner& runner);
  // Installs an interceptor (nullptr removes it).
  PT2RUN_PLUGIN_API static void set_run_interceptor(AOTIModelContainerRunner& runner,
                                                    std::shared_ptr<RunInterceptor> interceptor);
  // Runs the model on already validated inputs, bypassing the interceptor.
  PT2RUN_PLUGIN_API static std::vector<Tensor> run_eager(AOTIModelContainerRunner& runner,
                                                          std::vector<Tensor>&& inputs, void* stream);
  // Switches to the container's RunSingleThreaded (one model instance, no completion event:
  // what CUDA-graph capture needs). Only before the first run; needs num_models == 1.
  PT2RUN_PLUGIN_API static void use_single_threaded_runs(AOTIModelContainerRunner& runner);
  static void set_proxy_executor(AOTIModelContainerRunner& runner,
                                 std::shared_ptr<const ProxyExecutor> executor);
  // Constant layouts recorded in the package, for libraries that ship without weights.
  static void add_constant_layouts(AOTIModelContainerRunner& runner,
                                   const std::map<std::string, ConstantLayout>& layouts);
  // What the package's generated code records of each input (dtype, sizes, ranges): run()
  // checks inputs against it whatever the model's own checks do.
  static void set_input_specs(AOTIModelContainerRunner& runner, std::vector<SourceTensor> specs);
  // The most threads the model's kernels can run with (0: no bound), read by the package
  // loader from the package's kernel source.
  static void set_max_threads(AOTIModelContainerRunner& runner, int max_threads);
  // Frees the library's in-memory copy of the weights the model has copied (see
  // ModelLibrary::release_weights_copy); the package loader calls it once it has closed the
  // copy it lent the runner.
  static void release_weights_copy(AOTIModelContainerRunner& runner);
  // Loads binary_blob weights from memory (a mapped package entry).
  static void load_blob(AOTIModelContainerRunner& runner, const uint8_t* data, uint64_t size,
                        const std::string& what);
};

}  // namespace pt2run::detail
