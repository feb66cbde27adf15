#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ops/op_schema.h"
#include "pt2run/custom_ops.h"

namespace pt2run::detail {

// The values of one call, parallel to schema->arguments; what OpArgs reads.
struct OpCallData {
  const OpSchema* schema = nullptr;
  std::vector<OpValue> values;
};

struct RegisteredOp {
  OpSchema schema;
  OpKernel kernel;
};

// The registered implementation for "ns::op" / "ns::op.overload", or null. The returned
// pointer stays valid (and unchanged) even if the op is re-registered later: runners keep what
// they resolved at load.
std::shared_ptr<const RegisteredOp> find_op(std::string_view qualified_name);

// The ATen ops pt2run implements for the proxy executor (src/ops/aten_*.cpp); called once,
// before the registry is first used, and registering through register_builtin_op.
void register_builtin_ops();
void register_builtin_op(std::string_view schema, OpKernel kernel);

}  // namespace pt2run::detail
