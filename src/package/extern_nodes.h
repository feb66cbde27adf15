#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pt2run::detail {

// Ops AOTInductor could not lower to kernels or to a C shim (custom ops, some ATen ops) are
// run through its proxy executor, which reads their description from <stem>.wrapper.json:
// {"nodes": [{"name": "buf0", "node": {"target": "ns::op", ...}}, ...]}. Returns the targets
// in node order ("pt2run_test::twice"); empty if the JSON holds none. Throws
// Error(InvalidPackage) naming `what` if it is not such a JSON document.
std::vector<std::string> extern_node_targets(std::string_view json, const std::string& what);

}  // namespace pt2run::detail
