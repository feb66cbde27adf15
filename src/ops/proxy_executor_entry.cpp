// The C entry point generated code calls for an op with no C shim
// (aoti_torch_proxy_executor_call_function): the proxy executor's side of the shim, here in
// the ops layer so that the shim below needs nothing of it.

#include "ops/proxy_executor.h"
#include "shim/shim_guard.h"

using pt2run::shim::guard;

AOTITorchError aoti_torch_proxy_executor_call_function(AOTIProxyExecutorHandle proxy_executor,
                                                       int node_index, int num_ints,
                                                       int64_t* flatten_int_args, int num_tensors,
                                                       AtenTensorHandle* flatten_tensor_args) {
  return guard(__func__, [&] {
    // pt2run's runners pass their detail::ProxyExecutor; it is null only when the library was
    // loaded without its node list (<stem>.json next to <stem>.so).
    PT2RUN_CHECK(proxy_executor != nullptr, InvalidState, "the model calls an operator through "
                 "the proxy executor (extern node ", node_index, "), but it was loaded without "
                 "the node list that describes it: keep <stem>.json next to <stem>.so, or load "
                 "the .pt2 package");
    reinterpret_cast<const pt2run::detail::ProxyExecutor*>(proxy_executor)
        ->call(node_index, num_ints, flatten_int_args, num_tensors, flatten_tensor_args);
  });
}
