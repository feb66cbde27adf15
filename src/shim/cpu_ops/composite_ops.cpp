// Fallbacks for composite ops AOTInductor keeps whole: pairwise distances, the bilinear
// layer's _trilinear, the fused RMS norm.

#include "backends/cpu/composite.h"
#include "backends/cpu/linalg.h"
#include "shim/shim_args.h"
#include "shim/shim_guard.h"

using pt2run::shim::guard;
using pt2run::shim::int_array;
using pt2run::shim::optional_tensor;
using pt2run::shim::put_result;
using pt2run::shim::tensor;
namespace cpu = pt2run::cpu;

AOTITorchError aoti_torch_cpu__pdist_forward(AtenTensorHandle self, double p, AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(cpu::pdist(tensor(self), p), ret0); });
}

AOTITorchError aoti_torch_cpu__trilinear(AtenTensorHandle i1, AtenTensorHandle i2, AtenTensorHandle i3,
                                         const int64_t* expand1, int64_t expand1_len_, const int64_t* expand2,
                                         int64_t expand2_len_, const int64_t* expand3, int64_t expand3_len_,
                                         const int64_t* sumdim, int64_t sumdim_len_, int64_t /*unroll_dim*/,
                                         AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    put_result(cpu::trilinear(tensor(i1), tensor(i2), tensor(i3), int_array(expand1, expand1_len_, "expand1"),
                              int_array(expand2, expand2_len_, "expand2"), int_array(expand3, expand3_len_, "expand3"),
                              int_array(sumdim, sumdim_len_, "sumdim")),
               ret0);
  });
}

AOTITorchError aoti_torch_cpu__fused_rms_norm(AtenTensorHandle input, const int64_t* normalized_shape,
                                              int64_t normalized_shape_len_, AtenTensorHandle* weight, double* eps,
                                              AtenTensorHandle* ret0, AtenTensorHandle* ret1) {
  return guard(__func__, [&] {
    auto r = cpu::fused_rms_norm(tensor(input), int_array(normalized_shape, normalized_shape_len_, "normalized_shape"),
                                 optional_tensor(weight), eps);
    put_result(std::move(r.output), ret0);
    put_result(std::move(r.rstd), ret1);
  });
}
