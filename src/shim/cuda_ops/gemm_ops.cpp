// aoti_torch_cuda_{mm,addmm,bmm,baddbmm,mm_dtype}_out and _weight_int4pack_mm on cuBLAS.

#include "backends/cuda/blas.h"
#include "shim/aoti_shim_cuda.h"
#include "shim/shim_args.h"
#include "shim/shim_guard.h"

using pt2run::shim::guard;
using pt2run::shim::tensor;

AOTITorchError aoti_torch_cuda_mm_out(AtenTensorHandle out, AtenTensorHandle self, AtenTensorHandle mat2) {
  return guard(__func__, [&] { pt2run::cuda::gemm(tensor(out), nullptr, tensor(self), tensor(mat2), 0.0, 1.0); });
}

AOTITorchError aoti_torch_cuda_addmm_out(AtenTensorHandle out, AtenTensorHandle self, AtenTensorHandle mat1,
                                         AtenTensorHandle mat2, double beta, double alpha) {
  return guard(__func__, [&] {
    pt2run::cuda::gemm(tensor(out), &tensor(self), tensor(mat1), tensor(mat2), beta, alpha);
  });
}

AOTITorchError aoti_torch_cuda_bmm_out(AtenTensorHandle out, AtenTensorHandle self, AtenTensorHandle mat2) {
  return guard(__func__, [&] { pt2run::cuda::gemm(tensor(out), nullptr, tensor(self), tensor(mat2), 0.0, 1.0); });
}

AOTITorchError aoti_torch_cuda_baddbmm_out(AtenTensorHandle out, AtenTensorHandle self, AtenTensorHandle batch1,
                                           AtenTensorHandle batch2, double beta, double alpha) {
  return guard(__func__, [&] {
    pt2run::cuda::gemm(tensor(out), &tensor(self), tensor(batch1), tensor(batch2), beta, alpha);
  });
}

AOTITorchError aoti_torch_cuda_mm_dtype_out(AtenTensorHandle out, AtenTensorHandle self, AtenTensorHandle mat2,
                                            int32_t out_dtype) {
  return guard(__func__, [&] {
    const pt2run::DType wanted = pt2run::shim::dtype_arg(out_dtype);
    PT2RUN_CHECK(tensor(out).dtype() == wanted, DTypeMismatch, "mm(out_dtype=", pt2run::dtype_name(wanted),
                 "): the output buffer is ", tensor(out).describe());
    pt2run::cuda::gemm(tensor(out), nullptr, tensor(self), tensor(mat2), 0.0, 1.0);
  });
}

AOTITorchError aoti_torch_cuda__weight_int4pack_mm(AtenTensorHandle self, AtenTensorHandle mat2, int64_t qGroupSize,
                                                   AtenTensorHandle qScaleAndZeros, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    *pt2run::shim::require_out(ret0, "ret0") = pt2run::shim::release_handle(
        pt2run::cuda::weight_int4pack_mm(tensor(self), tensor(mat2), qGroupSize, tensor(qScaleAndZeros)));
  });
}
