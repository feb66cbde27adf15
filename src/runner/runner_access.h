#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "pt2run/runner.h"
#include "runner/constant_buffers.h"

namespace pt2run::detail {

// What the package loader tells a runner beyond the public API.
class ProxyExecutor;

struct RunnerAccess {
  // The ops the model runs through AOTInductor's proxy executor (shared: the package loader
  // builds it before it creates the runner, to refuse missing ops early).
  // A device runner's own stream for runs given none: `wait` blocks until it is idle (after
  // each such run), `release` hands it back when the runner goes.
  PT2RUN_PLUGIN_API static void set_default_stream(AOTIModelContainerRunner& runner, void* stream,
                                 std::function<void(void*)> wait, std::function<void(void*)> release);
  static void set_proxy_executor(AOTIModelContainerRunner& runner,
                                 std::shared_ptr<const ProxyExecutor> executor);
  // Constant layouts recorded in the package, for libraries that ship without weights.
  static void add_constant_layouts(AOTIModelContainerRunner& runner,
                                   const std::map<std::string, ConstantLayout>& layouts);
  // Loads binary_blob weights from memory (a mapped package entry).
  static void load_blob(AOTIModelContainerRunner& runner, const uint8_t* data, uint64_t size,
                        const std::string& what);
};

}  // namespace pt2run::detail
