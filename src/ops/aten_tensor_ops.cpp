// Proxy-executor ATen ops on tensor values: complex numbers, FFT inverse, counting and
// de-duplication.

#include "backends/cpu/fft.h"
#include "backends/cpu/selection.h"
#include "ops/aten_ops.h"
#include "core/check.h"
#include "ops/op_registry.h"

namespace pt2run::detail {

void register_aten_tensor_ops() {
  register_builtin_op("aten::complex(Tensor real, Tensor imag) -> Tensor", [](const OpArgs& a) {
    return std::vector<Tensor>{cpu::make_complex(a.tensor("real"), a.tensor("imag"))};
  });
  register_builtin_op(
      "aten::_fft_c2r(Tensor self, int[] dim, int normalization, SymInt last_dim_size) -> Tensor",
      [](const OpArgs& a) {
        return std::vector<Tensor>{cpu::fft_c2r(a.tensor("self"), a.int_list("dim"),
                                                a.int_value("normalization"),
                                                a.int_value("last_dim_size"))};
      });
  register_builtin_op(
      "aten::bincount(Tensor self, Tensor? weights=None, SymInt minlength=0) -> Tensor",
      [](const OpArgs& a) {
        auto weights = a.optional_tensor("weights");
        return std::vector<Tensor>{cpu::bincount(a.tensor("self"), weights ? &*weights : nullptr,
                                                 a.int_value("minlength"))};
      });
  register_builtin_op(
      "aten::_unique2(Tensor self, bool sorted=True, bool return_inverse=False, bool "
      "return_counts=False) -> (Tensor, Tensor, Tensor)",
      [](const OpArgs& a) {
        // CPU torch returns sorted values whatever `sorted` says; so do we.
        auto r = cpu::unique(a.tensor("self"), a.bool_value("return_inverse"),
                             a.bool_value("return_counts"));
        return std::vector<Tensor>{r.values, r.inverse, r.counts};
      });
  register_builtin_op(
      "aten::unique_consecutive(Tensor self, bool return_inverse=False, bool "
      "return_counts=False, int? dim=None) -> (Tensor, Tensor, Tensor)",
      [](const OpArgs& a) {
        PT2RUN_CHECK(a.is_none("dim"), NotImplemented,
                     "unique_consecutive along a dim is not implemented; only the flattened form");
        auto r = cpu::unique_consecutive(a.tensor("self"), a.bool_value("return_inverse"),
                                         a.bool_value("return_counts"));
        return std::vector<Tensor>{r.values, r.inverse, r.counts};
      });
}

}  // namespace pt2run::detail
