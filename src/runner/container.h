#pragma once

#include <string>
#include <vector>

#include "model/container_api.h"

namespace pt2run::detail {

// One model container of a loaded library: the resolved entry points, the handle, and the
// translation of failed calls into pt2run::Error.
struct Container {
  ContainerApi api;
  AOTInductorModelContainerHandle handle = nullptr;
  std::string library_name;
  std::vector<std::string> input_names;
  // Passed to Run and RunConstantFolding as the AOTIProxyExecutorHandle: a
  // detail::ProxyExecutor, or null when the model calls no op through it.
  void* proxy_executor = nullptr;

  // Throws Error carrying the model's own message (AOTInductorGetLastError) and the shim's
  // thread-local one when rc is not success. Messages about inputs get the input-specific
  // codes (DTypeMismatch, ShapeMismatch, DeviceMismatch) and name the input.
  void check(AOTIRuntimeError rc, const std::string& what) const;
};

}  // namespace pt2run::detail
