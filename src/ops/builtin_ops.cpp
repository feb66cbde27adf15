// The ATen ops AOTInductor runs through the proxy executor (no C shim exists for them) that
// pt2run implements. Each family registers itself from its own file.

#include "ops/aten_ops.h"
#include "ops/op_registry.h"

namespace pt2run::detail {

void register_builtin_ops() {
  register_aten_tensor_ops();
  register_aten_math_ops();
  register_aten_view_ops();
}

}  // namespace pt2run::detail
