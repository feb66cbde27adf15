// Arithmetic AOTInductor leaves to fallbacks: pow with complex or mixed operands, gcd, angle,
// polar, and aten's device-generic subtract.

#include "backends/cpu/elementwise.h"
#include "shim/shim_args.h"
#include "shim/host_staged.h"
#include "shim/shim_guard.h"

using pt2run::Tensor;
using pt2run::shim::guard;
using pt2run::shim::put_result;
using pt2run::shim::tensor;
namespace cpu = pt2run::cpu;

AOTITorchError aoti_torch_cpu_pow_Tensor_Tensor(AtenTensorHandle self, AtenTensorHandle exponent,
                                                AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(cpu::pow(tensor(self), tensor(exponent)), ret0); });
}

AOTITorchError aoti_torch_cpu_pow_Tensor_Scalar(AtenTensorHandle self, double exponent, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    const Tensor& base = tensor(self);
    PT2RUN_CHECK(pt2run::is_floating_point(base.dtype()) || pt2run::is_complex(base.dtype()) || exponent >= 0,
                 InvalidArgument, "pow: integers to negative integer powers are not allowed (torch refuses them too), got ",
                 base.describe(), " ** ", exponent);
    put_result(cpu::pow_scalar_exponent(base, exponent), ret0);
  });
}

AOTITorchError aoti_torch_cpu_pow_Scalar(double self, AtenTensorHandle exponent, AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(cpu::pow_scalar_base(self, tensor(exponent)), ret0); });
}

AOTITorchError aoti_torch_cpu_gcd(AtenTensorHandle self, AtenTensorHandle other, AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(cpu::gcd(tensor(self), tensor(other)), ret0); });
}

AOTITorchError aoti_torch_cpu_angle(AtenTensorHandle self, AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(cpu::angle(tensor(self)), ret0); });
}

AOTITorchError aoti_torch_cpu_polar(AtenTensorHandle abs, AtenTensorHandle angle, AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(cpu::polar(tensor(abs), tensor(angle)), ret0); });
}

namespace {

AOTITorchError subtract_on_host(AtenTensorHandle self, AtenTensorHandle other, double alpha, AtenTensorHandle* ret0) {
  return guard("aoti_torch_aten_subtract_Tensor", [&] { put_result(cpu::sub(tensor(self), tensor(other), alpha), ret0); });
}

}  // namespace

// Device-generic in torch: a CUDA graph's call gets host copies (shim/host_staged.h).
AOTITorchError aoti_torch_aten_subtract_Tensor(AtenTensorHandle self, AtenTensorHandle other, double alpha,
                                               AtenTensorHandle* ret0) {
  return pt2run::shim::call_on_host<1>(__func__, subtract_on_host, self, other, alpha, ret0);
}
