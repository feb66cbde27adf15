// Proxy-executor ATen view ops: AOTInductor has C shims for some views (permute, slice, ...)
// and sends the others, mostly on complex tensors, through the proxy executor.

#include "core/layout.h"
#include "core/views.h"
#include "ops/aten_ops.h"
#include "ops/op_registry.h"

namespace pt2run::detail {

void register_aten_view_ops() {
  auto one = [](Tensor t) { return std::vector<Tensor>{std::move(t)}; };
  register_builtin_view_op("aten::unsqueeze(Tensor(a) self, int dim) -> Tensor(a)",
                           [one](const OpArgs& a) { return one(unsqueeze(a.tensor("self"), a.int_value("dim"))); });
  register_builtin_view_op("aten::squeeze.dim(Tensor(a) self, int dim) -> Tensor(a)",
                           [one](const OpArgs& a) { return one(squeeze_dim(a.tensor("self"), a.int_value("dim"))); });
  register_builtin_view_op("aten::transpose.int(Tensor(a) self, int dim0, int dim1) -> Tensor(a)", [one](const OpArgs& a) {
    return one(transpose(a.tensor("self"), a.int_value("dim0"), a.int_value("dim1")));
  });
  register_builtin_view_op("aten::select.int(Tensor(a) self, int dim, SymInt index) -> Tensor(a)", [one](const OpArgs& a) {
    return one(select(a.tensor("self"), a.int_value("dim"), a.int_value("index")));
  });
  register_builtin_view_op("aten::permute(Tensor(a) self, int[] dims) -> Tensor(a)",
                           [one](const OpArgs& a) { return one(permute(a.tensor("self"), a.int_list("dims"))); });
  register_builtin_view_op(
      "aten::slice.Tensor(Tensor(a) self, int dim=0, SymInt? start=None, SymInt? end=None, SymInt step=1) -> "
      "Tensor(a)",
      [one](const OpArgs& a) {
        return one(slice(a.tensor("self"), a.int_value("dim"), a.optional_int("start"), a.optional_int("end"),
                         a.int_value("step")));
      });
  register_builtin_view_op("aten::expand(Tensor(a) self, SymInt[] size, *, bool implicit=False) -> Tensor(a)",
                           [one](const OpArgs& a) {
                        const Tensor& self = a.tensor("self");
                        std::vector<int64_t> size = a.int_list("size");
                        // -1 keeps the dim's size.
                        const auto lead = static_cast<int64_t>(size.size()) - self.dim();
                        for (std::size_t i = 0; i < size.size(); ++i)
                          if (size[i] == -1 && static_cast<int64_t>(i) >= lead)
                            size[i] = self.size(static_cast<int64_t>(i) - lead);
                        return one(expand_to(self, size));
                      });
  for (const char* schema : {"aten::view(Tensor(a) self, SymInt[] size) -> Tensor(a)",
                             "aten::_unsafe_view(Tensor self, SymInt[] size) -> Tensor",
                             "aten::reshape(Tensor(a) self, SymInt[] shape) -> Tensor(a)"}) {
    const bool is_reshape = std::string_view(schema).starts_with("aten::reshape");
    register_builtin_view_op(schema, [one, is_reshape](const OpArgs& a) {
      return one(reshape(a.tensor("self"), a.int_list(is_reshape ? "shape" : "size")));
    });
  }
  register_builtin_view_op("aten::clone(Tensor self, *, MemoryFormat? memory_format=None) -> Tensor",
                           [one](const OpArgs& a) {
                        const Tensor& self = a.tensor("self");
                        Tensor out = empty_like(self, self.dtype());
                        out.copy_(self);
                        return one(out);
                      });
}

}  // namespace pt2run::detail
