// aoti_torch_cpu_{sort,sort_stable,topk,searchsorted_Tensor,searchsorted_Scalar,nonzero,histc}.

#include <cstring>

#include "backends/cpu/selection.h"
#include "backends/cpu/sorting.h"
#include "shim/shim_guard.h"

using pt2run::shim::guard;
using pt2run::shim::release_handle;
using pt2run::shim::require_out;
using pt2run::shim::tensor;

namespace {

void set_pair(std::pair<pt2run::Tensor, pt2run::Tensor> result, AtenTensorHandle* ret0, AtenTensorHandle* ret1) {
  require_out(ret0, "ret0");
  require_out(ret1, "ret1");
  *ret0 = release_handle(std::move(result.first));
  *ret1 = release_handle(std::move(result.second));
}

bool right_side(int32_t right, const char** side) {
  if (side && *side) {
    const std::string s = *side;
    PT2RUN_CHECK(s == "left" || s == "right", InvalidArgument, "searchsorted: side must be 'left' or 'right', got '", s, "'");
    PT2RUN_CHECK(s == "right" || right == 0, InvalidArgument, "searchsorted: side='left' contradicts right=True");
    return s == "right";
  }
  return right != 0;
}

}  // namespace

AOTITorchError aoti_torch_cpu_sort(AtenTensorHandle self, int64_t dim, int32_t descending, AtenTensorHandle* ret0,
                                   AtenTensorHandle* ret1) {
  return guard(__func__, [&] { set_pair(pt2run::cpu::sort(tensor(self), dim, descending != 0), ret0, ret1); });
}

AOTITorchError aoti_torch_cpu_sort_stable(AtenTensorHandle self, int32_t* /*stable: always*/, int64_t dim,
                                          int32_t descending, AtenTensorHandle* ret0, AtenTensorHandle* ret1) {
  return guard(__func__, [&] { set_pair(pt2run::cpu::sort(tensor(self), dim, descending != 0), ret0, ret1); });
}

AOTITorchError aoti_torch_cpu_topk(AtenTensorHandle self, int64_t k, int64_t dim, int32_t largest,
                                   int32_t /*sorted: always*/, AtenTensorHandle* ret0, AtenTensorHandle* ret1) {
  return guard(__func__, [&] { set_pair(pt2run::cpu::topk(tensor(self), k, dim, largest != 0), ret0, ret1); });
}

AOTITorchError aoti_torch_cpu_searchsorted_Tensor(AtenTensorHandle sorted_sequence, AtenTensorHandle self,
                                                  int32_t out_int32, int32_t right, const char** side,
                                                  AtenTensorHandle* sorter, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    const pt2run::Tensor* order = sorter && *sorter ? &tensor(*sorter) : nullptr;
    *require_out(ret0, "ret0") = release_handle(pt2run::cpu::searchsorted(
        tensor(sorted_sequence), tensor(self), out_int32 != 0, right_side(right, side), order));
  });
}

AOTITorchError aoti_torch_cpu_searchsorted_Scalar(AtenTensorHandle sorted_sequence, double self, int32_t out_int32,
                                                  int32_t right, const char** side, AtenTensorHandle* sorter,
                                                  AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    pt2run::Tensor value = pt2run::Tensor::empty({}, pt2run::DType::Float64);
    value.data<double>()[0] = self;
    const pt2run::Tensor* order = sorter && *sorter ? &tensor(*sorter) : nullptr;
    *require_out(ret0, "ret0") = release_handle(pt2run::cpu::searchsorted(
        tensor(sorted_sequence), value, out_int32 != 0, right_side(right, side), order));
  });
}

AOTITorchError aoti_torch_cpu_nonzero(AtenTensorHandle self, AtenTensorHandle* ret0) {
  return guard(__func__, [&] { *require_out(ret0, "ret0") = release_handle(pt2run::cpu::nonzero(tensor(self))); });
}

AOTITorchError aoti_torch_cpu_histc(AtenTensorHandle self, int64_t bins, double min, double max,
                                    AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    *require_out(ret0, "ret0") = release_handle(pt2run::cpu::histc(tensor(self), bins, min, max));
  });
}
