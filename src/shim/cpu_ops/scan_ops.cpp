// aoti_torch_cpu_{cumsum,cumprod,logcumsumexp}.

#include <optional>

#include "backends/cpu/scan.h"
#include "shim/shim_args.h"
#include "shim/shim_guard.h"

using pt2run::shim::guard;
using pt2run::shim::release_handle;
using pt2run::shim::require_out;
using pt2run::shim::tensor;

namespace {

AOTITorchError scan(const char* function, AtenTensorHandle self, int64_t dim, const int32_t* dtype,
                    pt2run::cpu::ScanOp op, AtenTensorHandle* ret0) {
  return guard(function, [&] {
    std::optional<pt2run::DType> out_dtype;
    if (dtype) out_dtype = pt2run::shim::dtype_arg(*dtype);
    *require_out(ret0, "ret0") = release_handle(pt2run::cpu::cumulative(tensor(self), dim, op, out_dtype));
  });
}

}  // namespace

AOTITorchError aoti_torch_cpu_cumsum(AtenTensorHandle self, int64_t dim, int32_t* dtype, AtenTensorHandle* ret0) {
  return scan(__func__, self, dim, dtype, pt2run::cpu::ScanOp::Sum, ret0);
}

AOTITorchError aoti_torch_cpu_cumprod(AtenTensorHandle self, int64_t dim, int32_t* dtype, AtenTensorHandle* ret0) {
  return scan(__func__, self, dim, dtype, pt2run::cpu::ScanOp::Prod, ret0);
}

AOTITorchError aoti_torch_cpu_logcumsumexp(AtenTensorHandle self, int64_t dim, AtenTensorHandle* ret0) {
  return scan(__func__, self, dim, nullptr, pt2run::cpu::ScanOp::LogSumExp, ret0);
}
