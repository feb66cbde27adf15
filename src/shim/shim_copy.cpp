// Copies: clone, clone_preserve_strides, copy_, zero_.

#include <cstring>

#include "core/device_backend.h"
#include "core/layout.h"
#include "core/storage.h"
#include "core/tensor_copy.h"
#include "shim/shim_guard.h"

using pt2run::Tensor;
using pt2run::shim::guard;
using pt2run::shim::release_handle;
using pt2run::shim::require_out;
using pt2run::shim::tensor;

namespace {

// torch's clone(memory_format=preserve).
Tensor clone_preserve_format(const Tensor& t) {
  Tensor out = pt2run::detail::empty_like(t, t.dtype());
  pt2run::detail::copy_elements(out, t);
  return out;
}

}  // namespace

AOTITorchError aoti_torch_clone(AtenTensorHandle self, AtenTensorHandle* ret) {
  return guard(__func__, [&] { *require_out(ret, "ret") = release_handle(clone_preserve_format(tensor(self))); });
}

AOTITorchError aoti_torch_clone_preserve_strides(AtenTensorHandle self, AtenTensorHandle* ret) {
  return guard(__func__, [&] {
    const Tensor& t = tensor(self);
    // Copy the whole span the strides reach, gaps included, then view it the same way.
    int64_t span = 0;
    if (t.numel() > 0) {
      span = 1;
      for (int64_t d = 0; d < t.dim(); ++d) span += (t.sizes()[d] - 1) * t.strides()[d];
    }
    Tensor flat = Tensor::empty({span}, t.dtype(), t.device());
    if (span > 0) flat.copy_(t.as_strided({span}, {1}, t.storage_offset()));
    *require_out(ret, "ret") = release_handle(flat.as_strided(
        std::vector<int64_t>(t.sizes().begin(), t.sizes().end()),
        std::vector<int64_t>(t.strides().begin(), t.strides().end()), 0));
  });
}

AOTITorchError aoti_torch_copy_(AtenTensorHandle self, AtenTensorHandle src, int32_t) {
  // CPU copies are synchronous; device copies are ordered on the current stream either way.
  return guard(__func__, [&] {
    Tensor& dst = tensor(self);
    pt2run::detail::copy_elements(dst, pt2run::detail::expand_to(tensor(src), dst.sizes()));
  });
}

AOTITorchError aoti_torch_tensor_copy_(AtenTensorHandle src, AtenTensorHandle dst) {
  return aoti_torch_copy_(dst, src, 0);
}

AOTITorchError aoti_torch_zero_(AtenTensorHandle self) {
  return guard(__func__, [&] {
    Tensor& t = tensor(self);
    if (t.is_contiguous()) {
      if (t.nbytes() == 0) return;
      if (t.device().is_cpu()) std::memset(t.data_ptr(), 0, t.nbytes());
      else pt2run::detail::device_backend(t.device().type).fill_zero(t.data_ptr(), t.nbytes(), t.device().index);
    } else {
      Tensor zero = Tensor::zeros({}, t.dtype(), t.device());
      pt2run::detail::copy_elements(t, pt2run::detail::expand_to(zero, t.sizes()));
    }
  });
}
