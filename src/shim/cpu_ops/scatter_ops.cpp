// Scatter fallbacks: plain scatter (AOTInductor lowers it itself unless the graph is in
// deterministic mode or the shapes defeat it), masked_scatter and index_reduce.

#include "backends/cpu/scatter.h"
#include "core/layout.h"
#include "shim/shim_guard.h"

using pt2run::DType;
using pt2run::Tensor;
using pt2run::shim::guard;
using pt2run::shim::put_result;
using pt2run::shim::tensor;
namespace cpu = pt2run::cpu;

AOTITorchError aoti_torch_cpu_scatter_src_out(AtenTensorHandle out, AtenTensorHandle self, int64_t dim,
                                              AtenTensorHandle index, AtenTensorHandle src) {
  return guard(__func__, [&] { cpu::scatter(tensor(out), tensor(self), dim, tensor(index), tensor(src)); });
}

AOTITorchError aoti_torch_cpu_scatter_value_out(AtenTensorHandle out, AtenTensorHandle self, int64_t dim,
                                                AtenTensorHandle index, double value) {
  return guard(__func__, [&] {
    const Tensor& s = tensor(self);
    cpu::scatter(tensor(out), s, dim, tensor(index), pt2run::detail::scalar_tensor(value, s.dtype()));
  });
}

AOTITorchError aoti_torch_cpu_masked_scatter(AtenTensorHandle self, AtenTensorHandle mask, AtenTensorHandle source,
                                             AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(cpu::masked_scatter(tensor(self), tensor(mask), tensor(source)), ret0); });
}

AOTITorchError aoti_torch_cpu_index_reduce(AtenTensorHandle self, int64_t dim, AtenTensorHandle index,
                                           AtenTensorHandle source, const char* reduce, int32_t include_self,
                                           AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    PT2RUN_CHECK(reduce != nullptr, InvalidArgument, "index_reduce: null reduce");
    put_result(cpu::index_reduce(tensor(self), dim, tensor(index), tensor(source), reduce, include_self != 0), ret0);
  });
}
