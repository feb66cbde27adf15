// Linear-algebra fallbacks built on LAPACK factorizations: Cholesky solves and inverses,
// triangular solves, QR (geqrf / ormqr), and unpacking an LU factorization.

#include "backends/cpu/linalg_solve.h"
#include "shim/shim_guard.h"

using pt2run::shim::guard;
using pt2run::shim::put_result;
using pt2run::shim::tensor;
namespace cpu = pt2run::cpu;

AOTITorchError aoti_torch_cpu_cholesky_solve(AtenTensorHandle self, AtenTensorHandle input2, int32_t upper,
                                             AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(cpu::cholesky_solve(tensor(self), tensor(input2), upper != 0), ret0); });
}

AOTITorchError aoti_torch_cpu_cholesky_inverse(AtenTensorHandle self, int32_t upper, AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(cpu::cholesky_inverse(tensor(self), upper != 0), ret0); });
}

AOTITorchError aoti_torch_cpu_triangular_solve(AtenTensorHandle self, AtenTensorHandle A, int32_t upper,
                                               int32_t transpose, int32_t unitriangular, AtenTensorHandle* ret0,
                                               AtenTensorHandle* ret1) {
  return guard(__func__, [&] {
    auto [x, a] = cpu::triangular_solve(tensor(self), tensor(A), upper != 0, transpose != 0, unitriangular != 0);
    put_result(std::move(x), ret0);
    put_result(std::move(a), ret1);
  });
}

AOTITorchError aoti_torch_cpu_geqrf(AtenTensorHandle self, AtenTensorHandle* ret0, AtenTensorHandle* ret1) {
  return guard(__func__, [&] {
    auto [a, tau] = cpu::geqrf(tensor(self));
    put_result(std::move(a), ret0);
    put_result(std::move(tau), ret1);
  });
}

AOTITorchError aoti_torch_cpu_ormqr(AtenTensorHandle self, AtenTensorHandle input2, AtenTensorHandle input3,
                                    int32_t left, int32_t transpose, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    put_result(cpu::ormqr(tensor(self), tensor(input2), tensor(input3), left != 0, transpose != 0), ret0);
  });
}

AOTITorchError aoti_torch_cpu_lu_unpack(AtenTensorHandle LU_data, AtenTensorHandle LU_pivots, int32_t unpack_data,
                                        int32_t unpack_pivots, AtenTensorHandle* ret0, AtenTensorHandle* ret1,
                                        AtenTensorHandle* ret2) {
  return guard(__func__, [&] {
    auto r = cpu::lu_unpack(tensor(LU_data), tensor(LU_pivots), unpack_data != 0, unpack_pivots != 0);
    put_result(std::move(r.p), ret0);
    put_result(std::move(r.l), ret1);
    put_result(std::move(r.u), ret2);
  });
}
