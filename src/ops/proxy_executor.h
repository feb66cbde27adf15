#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ops/op_registry.h"
#include "shim/aoti_shim.h"

namespace pt2run::detail {

// AOTInductor's proxy executor: runs the ops a model library calls through
// aoti_torch_proxy_executor_call_function. The library passes the dynamic part of each call —
// tensors, and ints (int, SymInt and int-valued Scalar arguments, each list element by element)
// flattened in schema order, inputs then output handles; everything else (floats, bools,
// strings, dtypes, omitted defaults) comes from the node list the package stores as JSON
// (<stem>.wrapper.json). The op's schema says how to unflatten; this class turns each node into
// a plan at load, so a call only slices the arrays.
//
// Thread safety: immutable after construction; call() may run concurrently.
class ProxyExecutor {
 public:
  // Throws Error(UnsupportedPackage) naming every op nobody registered, Error(InvalidPackage)
  // for malformed JSON or nodes that do not fit their op's schema. `what` names the source.
  ProxyExecutor(std::string_view json, const std::string& what);
  ~ProxyExecutor();

  void call(int node_index, int num_ints, const int64_t* ints, int num_tensors,
            AtenTensorHandle* tensors) const;

  std::size_t num_nodes() const { return nodes_.size(); }

  // The targets of a node list that no registered op implements, in node order, without
  // duplicates. Throws Error(InvalidPackage) as the constructor.
  static std::vector<std::string> missing_ops(std::string_view json, const std::string& what);

  struct Node;  // one call site's plan (proxy_executor.cpp)

 private:
  std::vector<std::unique_ptr<Node>> nodes_;
  std::string what_;
};

}  // namespace pt2run::detail
