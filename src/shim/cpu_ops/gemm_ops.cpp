// aoti_torch_cpu_{mm,addmm,bmm,baddbmm}_out, addmv, addbmm, _addmm_activation and the
// deprecated device-less spellings.

#include "backends/cpu/gemm.h"
#include "shim/shim_guard.h"

using pt2run::shim::guard;
using pt2run::shim::release_handle;
using pt2run::shim::require_out;
using pt2run::shim::tensor;

AOTITorchError aoti_torch_cpu_addmv(AtenTensorHandle self, AtenTensorHandle mat, AtenTensorHandle vec,
                                    double beta, double alpha, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    *require_out(ret0, "ret0") =
        release_handle(pt2run::cpu::addmv(tensor(self), tensor(mat), tensor(vec), beta, alpha));
  });
}

AOTITorchError aoti_torch_cpu_addbmm(AtenTensorHandle self, AtenTensorHandle batch1,
                                     AtenTensorHandle batch2, double beta, double alpha,
                                     AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    *require_out(ret0, "ret0") = release_handle(
        pt2run::cpu::addbmm(tensor(self), tensor(batch1), tensor(batch2), beta, alpha));
  });
}

AOTITorchError aoti_torch_cpu__addmm_activation(AtenTensorHandle self, AtenTensorHandle mat1,
                                                AtenTensorHandle mat2, double beta, double alpha,
                                                int32_t use_gelu, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    *require_out(ret0, "ret0") = release_handle(pt2run::cpu::addmm_activation(
        tensor(self), tensor(mat1), tensor(mat2), beta, alpha, use_gelu != 0));
  });
}

AOTITorchError aoti_torch_cpu_mm_out(AtenTensorHandle out, AtenTensorHandle self,
                                     AtenTensorHandle mat2) {
  return guard(__func__, [&] {
    pt2run::cpu::addmm(tensor(out), nullptr, tensor(self), tensor(mat2), 0.0, 1.0);
  });
}

AOTITorchError aoti_torch_cpu_addmm_out(AtenTensorHandle out, AtenTensorHandle self,
                                        AtenTensorHandle mat1, AtenTensorHandle mat2, double beta,
                                        double alpha) {
  return guard(__func__, [&] {
    pt2run::cpu::addmm(tensor(out), &tensor(self), tensor(mat1), tensor(mat2), beta, alpha);
  });
}

AOTITorchError aoti_torch_cpu_bmm_out(AtenTensorHandle out, AtenTensorHandle self,
                                      AtenTensorHandle mat2) {
  return guard(__func__, [&] {
    pt2run::cpu::baddbmm(tensor(out), nullptr, tensor(self), tensor(mat2), 0.0, 1.0);
  });
}

AOTITorchError aoti_torch_cpu_baddbmm_out(AtenTensorHandle out, AtenTensorHandle self,
                                          AtenTensorHandle batch1, AtenTensorHandle batch2,
                                          double beta, double alpha) {
  return guard(__func__, [&] {
    pt2run::cpu::baddbmm(tensor(out), &tensor(self), tensor(batch1), tensor(batch2), beta, alpha);
  });
}

AOTITorchError aoti_torch_mm_out(AtenTensorHandle out, AtenTensorHandle self,
                                 AtenTensorHandle mat2) {
  return aoti_torch_cpu_mm_out(out, self, mat2);
}

AOTITorchError aoti_torch_addmm_out(AtenTensorHandle out, AtenTensorHandle self,
                                    AtenTensorHandle mat1, AtenTensorHandle mat2, float beta,
                                    float alpha) {
  return aoti_torch_cpu_addmm_out(out, self, mat1, mat2, beta, alpha);
}

AOTITorchError aoti_torch_bmm_out(AtenTensorHandle out, AtenTensorHandle self,
                                  AtenTensorHandle mat2) {
  return aoti_torch_cpu_bmm_out(out, self, mat2);
}
