#include "ops/op_registry.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "core/check.h"

namespace pt2run {
namespace detail {
namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<const RegisteredOp>, std::less<>> ops;
};

Registry& raw_registry() {
  static Registry registry;
  return registry;
}

Registry& registry() {
  static std::once_flag builtins;
  std::call_once(builtins, [] { register_builtin_ops(); });
  return raw_registry();
}

void insert(Registry& reg, std::string_view schema_text, OpKernel kernel, bool replace, bool host_only = false) {
  PT2RUN_CHECK(kernel != nullptr, InvalidArgument, "register_op('", schema_text,
               "'): the kernel is empty");
  auto op = std::make_shared<RegisteredOp>();
  op->schema = parse_op_schema(schema_text);
  op->kernel = std::move(kernel);
  op->host_only = host_only;
  for (const auto& ret : op->schema.returns) {
    PT2RUN_CHECK(ret.type.base == OpType::Tensor, InvalidArgument, "register_op('", schema_text,
                 "'): only Tensor, Tensor? and Tensor[] returns are supported (AOTInductor "
                 "passes no other results through its proxy executor)");
  }
  std::lock_guard lock(reg.mutex);
  auto name = op->schema.qualified_name;
  auto [it, inserted] = reg.ops.try_emplace(name, op);
  PT2RUN_CHECK(inserted || replace, InvalidArgument, "register_op: '", name,
               "' is already registered (", it->second->schema.text,
               "); pass replace = true to override it");
  if (!inserted) it->second = std::move(op);
}

}  // namespace

void register_builtin_op(std::string_view schema, OpKernel kernel) {
  insert(raw_registry(), schema, std::move(kernel), /*replace=*/false, /*host_only=*/true);
}

void register_builtin_view_op(std::string_view schema, OpKernel kernel) {
  insert(raw_registry(), schema, std::move(kernel), /*replace=*/false, /*host_only=*/false);
}

bool register_device_kernel(std::string_view qualified_name, DeviceType device, OpKernel kernel) {
  PT2RUN_CHECK(kernel != nullptr, InvalidArgument, "register_device_kernel('", qualified_name,
               "'): the kernel is empty");
  Registry& reg = registry();
  std::lock_guard lock(reg.mutex);
  auto it = reg.ops.find(qualified_name);
  if (it == reg.ops.end() || !it->second->host_only) return false;
  // Registered ops are immutable (runners keep what they resolved): a copy takes its place.
  auto op = std::make_shared<RegisteredOp>(*it->second);
  std::erase_if(op->device_kernels, [&](const auto& entry) { return entry.first == device; });
  op->device_kernels.emplace_back(device, std::move(kernel));
  it->second = std::move(op);
  return true;
}

std::shared_ptr<const RegisteredOp> find_op(std::string_view qualified_name) {
  Registry& reg = registry();
  std::lock_guard lock(reg.mutex);
  auto it = reg.ops.find(qualified_name);
  return it == reg.ops.end() ? nullptr : it->second;
}

}  // namespace detail

void register_op(std::string_view schema, OpKernel kernel, bool replace) {
  // Built-ins first, so a user's registration of the same name is an explicit override.
  detail::insert(detail::registry(), schema, std::move(kernel), replace);
}

bool unregister_op(std::string_view qualified_name) {
  auto& reg = detail::registry();
  std::lock_guard lock(reg.mutex);
  auto it = reg.ops.find(qualified_name);
  if (it == reg.ops.end()) return false;
  reg.ops.erase(it);
  return true;
}

bool is_op_registered(std::string_view qualified_name) {
  return detail::find_op(qualified_name) != nullptr;
}

std::vector<std::string> registered_op_schemas() {
  auto& reg = detail::registry();
  std::lock_guard lock(reg.mutex);
  std::vector<std::string> out;
  for (const auto& [name, op] : reg.ops) out.push_back(op->schema.text);
  return out;
}

}  // namespace pt2run
