// Proxy-executor ATen ops on numbers: order statistics, matrix inverse, antialiased resampling,
// sampling.

#include "backends/cpu/linalg.h"
#include "backends/cpu/linalg_solve.h"
#include "backends/cpu/random.h"
#include "backends/cpu/resample.h"
#include "backends/cpu/sorting.h"
#include "core/check.h"
#include "ops/aten_ops.h"
#include "ops/op_registry.h"

namespace pt2run::detail {

void register_aten_math_ops() {
  register_builtin_op(
      "aten::median.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)",
      [](const OpArgs& a) {
        auto [values, indices] =
            cpu::median(a.tensor("self"), a.int_value("dim"), a.bool_value("keepdim"));
        return std::vector<Tensor>{values, indices};
      });
  register_builtin_op(
      "aten::linalg_inv_ex(Tensor A, *, bool check_errors=False) -> (Tensor inverse, Tensor info)",
      [](const OpArgs& a) {
        auto r = cpu::inverse(a.tensor("A"));
        if (a.bool_value("check_errors")) {
          for (int64_t i = 0; i < r.info.numel(); ++i)
            PT2RUN_CHECK(r.info.data<int32_t>()[i] == 0, InvalidArgument,
                         "linalg.inv: the input matrix is singular");
        }
        return std::vector<Tensor>{r.inverse, r.info};
      });
  register_builtin_op(
      "aten::linalg_cholesky_ex(Tensor self, *, bool upper=False, bool check_errors=False) -> (Tensor L, Tensor info)",
      [](const OpArgs& a) {
        auto r = cpu::cholesky_ex(a.tensor("self"), a.bool_value("upper"));
        if (a.bool_value("check_errors")) {
          for (int64_t i = 0; i < r.info.numel(); ++i)
            PT2RUN_CHECK(r.info.data<int32_t>()[i] == 0, InvalidArgument,
                         "linalg.cholesky: the input is not positive-definite (leading minor of order ",
                         r.info.data<int32_t>()[i], ")");
        }
        return std::vector<Tensor>{r.factor, r.info};
      });
  register_builtin_op(
      "aten::_linalg_check_errors(Tensor info, str api_name, *, bool is_matrix) -> ()",
      [](const OpArgs& a) {
        Tensor info = a.tensor("info").to(DType::Int64);
        for (int64_t i = 0; i < info.numel(); ++i) {
          const int64_t code = info.data<int64_t>()[i];
          PT2RUN_CHECK(code <= 0, InvalidArgument, a.string_value("api_name"),
                       ": the input matrix is singular (diagonal element ", code,
                       " of its LU factorization is zero)");
          PT2RUN_CHECK(code == 0, InvalidArgument, a.string_value("api_name"), ": argument ",
                       -code, " has an illegal value");
        }
        return std::vector<Tensor>{};
      });
  register_builtin_op(
      "aten::_upsample_bilinear2d_aa(Tensor self, SymInt[2] output_size, bool align_corners, "
      "float? scales_h=None, float? scales_w=None) -> Tensor",
      [](const OpArgs& a) {
        return std::vector<Tensor>{cpu::upsample_bilinear2d_aa(
            a.tensor("self"), a.int_list("output_size"), a.bool_value("align_corners"),
            a.optional_float("scales_h"), a.optional_float("scales_w"))};
      });
  // torch before 2.13 declares no C shim function for grid_sampler_3d on CUDA: those graphs
  // call it through the proxy executor.
  register_builtin_op(
      "aten::grid_sampler_3d(Tensor input, Tensor grid, int interpolation_mode, int padding_mode, "
      "bool align_corners) -> Tensor",
      [](const OpArgs& a) {
        return std::vector<Tensor>{cpu::grid_sampler_3d(a.tensor("input"), a.tensor("grid"),
                                                        a.int_value("interpolation_mode"),
                                                        a.int_value("padding_mode"),
                                                        a.bool_value("align_corners"))};
      });
  register_builtin_op(
      "aten::multinomial(Tensor self, SymInt num_samples, bool replacement=False, *, "
      "Generator? generator=None) -> Tensor",
      [](const OpArgs& a) {
        PT2RUN_CHECK(a.is_none("generator"), NotImplemented,
                     "multinomial with an explicit generator; pt2run has one process generator");
        return std::vector<Tensor>{cpu::multinomial(a.tensor("self"), a.int_value("num_samples"),
                                                    a.bool_value("replacement"))};
      });
}

}  // namespace pt2run::detail
