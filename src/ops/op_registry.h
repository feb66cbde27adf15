#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ops/op_schema.h"
#include "pt2run/custom_ops.h"
#include "pt2run/device.h"
#include "pt2run/export.h"

namespace pt2run::detail {

// The values of one call, parallel to schema->arguments; what OpArgs reads.
struct OpCallData {
  const OpSchema* schema = nullptr;
  std::vector<OpValue> values;
};

struct RegisteredOp {
  OpSchema schema;
  OpKernel kernel;
  // The kernel reads tensor data on the host (pt2run's built-in compute ops): the proxy
  // executor hands it host copies of tensors on other devices and moves its results back to
  // the device of the call's first such tensor. Users' ops and view ops take tensors as they are.
  bool host_only = false;
  // Device backends' kernels for this host op (register_device_kernel): a call whose tensors
  // are on one of these devices runs there, without host copies.
  std::vector<std::pair<DeviceType, OpKernel>> device_kernels;

  // The kernel for calls with tensors on `device`; null when there is none.
  const OpKernel* device_kernel(DeviceType device) const {
    for (const auto& [type, kernel] : device_kernels)
      if (type == device) return &kernel;
    return nullptr;
  }
};

// The registered implementation for "ns::op" / "ns::op.overload", or null. The returned
// pointer stays valid (and unchanged) even if the op is re-registered later: runners keep what
// they resolved at load.
std::shared_ptr<const RegisteredOp> find_op(std::string_view qualified_name);

// The ATen ops pt2run implements for the proxy executor (src/ops/aten_*.cpp); called once,
// before the registry is first used, and registering through register_builtin_op.
void register_builtin_ops();
// A kernel computing on host memory (see RegisteredOp::host_only).
void register_builtin_op(std::string_view schema, OpKernel kernel);
// A kernel that only makes views or device-aware copies, for tensors on any device.
void register_builtin_view_op(std::string_view schema, OpKernel kernel);
// A device backend's kernel for the built-in host op `qualified_name`, taking the calls with a
// tensor on `device` (its plugin registers it when loaded, before any runner for that device
// exists). Returns false, registering nothing, when no built-in host op has the name (a user's
// register_op(..., replace = true) took it over: their kernel gets every call). Throws
// Error(InvalidArgument) for an empty kernel.
PT2RUN_PLUGIN_API bool register_device_kernel(std::string_view qualified_name, DeviceType device, OpKernel kernel);

}  // namespace pt2run::detail
