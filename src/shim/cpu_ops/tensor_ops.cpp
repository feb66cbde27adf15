// Views, arithmetic, advanced indexing and windows: ops AOTInductor's kernels cover for real
// dtypes and leaves to fallbacks for complex tensors, masks with data-dependent sizes and
// deterministic mode.

#include <cmath>
#include <numbers>
#include <optional>

#include "backends/cpu/advanced_index.h"
#include "backends/cpu/elementwise.h"
#include "core/layout.h"
#include "core/views.h"
#include "shim/host_staged.h"
#include "shim/shim_args.h"
#include "shim/shim_guard.h"

using pt2run::DType;
using pt2run::Tensor;
using pt2run::shim::dtype_arg;
using pt2run::shim::guard;
using pt2run::shim::index_list;
using pt2run::shim::int_array;
using pt2run::shim::put_result;
using pt2run::shim::tensor;
namespace cpu = pt2run::cpu;
namespace views = pt2run::detail;

AOTITorchError aoti_torch_cpu_view_dtype(AtenTensorHandle self, int32_t dtype, AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(views::view_dtype(tensor(self), dtype_arg(dtype)), ret0); });
}

AOTITorchError aoti_torch_cpu_view_as_complex(AtenTensorHandle self, AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(views::view_as_complex(tensor(self)), ret0); });
}

AOTITorchError aoti_torch_cpu_permute(AtenTensorHandle self, const int64_t* dims, int64_t dims_len_,
                                      AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(views::permute(tensor(self), int_array(dims, dims_len_, "dims")), ret0); });
}

AOTITorchError aoti_torch_cpu_slice_Tensor(AtenTensorHandle self, int64_t dim, int64_t* start, int64_t* end,
                                           int64_t step, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    put_result(views::slice(tensor(self), dim, start ? std::optional<int64_t>(*start) : std::nullopt,
                     end ? std::optional<int64_t>(*end) : std::nullopt, step),
        ret0);
  });
}

AOTITorchError aoti_torch_cpu_squeeze_dim(AtenTensorHandle self, int64_t dim, AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(views::squeeze_dim(tensor(self), dim), ret0); });
}

AOTITorchError aoti_torch_cpu_narrow(AtenTensorHandle self, int64_t dim, int64_t start, int64_t length,
                                     AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(views::narrow(tensor(self), dim, start, length), ret0); });
}

AOTITorchError aoti_torch_cpu_reshape(AtenTensorHandle self, const int64_t* shape, int64_t shape_len_,
                                      AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(views::reshape(tensor(self), int_array(shape, shape_len_, "shape")), ret0); });
}

AOTITorchError aoti_torch_cpu_add_Tensor(AtenTensorHandle self, AtenTensorHandle other, double alpha,
                                         AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(cpu::add(tensor(self), tensor(other), alpha), ret0); });
}

AOTITorchError aoti_torch_cpu_add_Scalar(AtenTensorHandle self, double other, double alpha, AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(cpu::add_scalar(tensor(self), other, alpha), ret0); });
}

AOTITorchError aoti_torch_cpu_mul_Tensor(AtenTensorHandle self, AtenTensorHandle other, AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(cpu::mul(tensor(self), tensor(other)), ret0); });
}

AOTITorchError aoti_torch_cpu_mul_Scalar(AtenTensorHandle self, double other, AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(cpu::mul_scalar(tensor(self), other), ret0); });
}

AOTITorchError aoti_torch_cpu_index_Tensor(AtenTensorHandle self, const AtenTensorHandle** indices,
                                           int64_t indices_len_, AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(cpu::index(tensor(self), index_list(indices, indices_len_)), ret0); });
}

AOTITorchError aoti_torch_cpu_index_put(AtenTensorHandle self, const AtenTensorHandle** indices,
                                        int64_t indices_len_, AtenTensorHandle values, int32_t accumulate,
                                        AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    const Tensor& s = tensor(self);
    Tensor out = pt2run::detail::empty_like(s, s.dtype());
    cpu::index_put(out, s, index_list(indices, indices_len_), tensor(values), accumulate != 0);
    put_result(std::move(out), ret0);
  });
}

namespace {

// aoti_torch_index_put_out's body in call_on_host's conventions (an optional-tensor list and
// its int64 length). Duplicates sum in the order of torch's kernel for `device_type`, where
// the tensors live: a model run on CUDA gives torch CUDA's numbers (cpu::AccumulateOrder).
AOTITorchError index_put_out_on_host(AtenTensorHandle out, AtenTensorHandle self, const AtenTensorHandle** indices,
                                     int64_t num_indices, AtenTensorHandle values, int32_t accumulate,
                                     int32_t device_type) {
  return guard("aoti_torch_index_put_out", [&] {
    const auto order = device_type == static_cast<int32_t>(pt2run::DeviceType::CUDA) ? cpu::AccumulateOrder::cuda_sorted
                                                                                   : cpu::AccumulateOrder::sequential;
    cpu::index_put(tensor(out), tensor(self), index_list(indices, num_indices), tensor(values), accumulate != 0, order);
  });
}

}  // namespace

// Device-generic, as torch's: device tensors run on host copies (shim/host_staged.h).
AOTITorchError aoti_torch_index_put_out(AtenTensorHandle out, AtenTensorHandle self, const AtenTensorHandle* indices,
                                        const uint32_t num_indices, const AtenTensorHandle values, bool accumulate) {
  std::vector<const AtenTensorHandle*> list;
  int32_t device_type = 0;
  const AOTITorchError checked = guard(__func__, [&] {
    PT2RUN_CHECK(num_indices <= 64 && (indices != nullptr || num_indices == 0), InvalidArgument,
                 "bad index list of length ", num_indices);
    for (uint32_t i = 0; i < num_indices; ++i) list.push_back(indices[i] ? &indices[i] : nullptr);
    device_type = static_cast<int32_t>(tensor(self).device().type);
  });
  if (checked != kShimSuccess) return checked;
  return pt2run::shim::call_on_host<0>(__func__, index_put_out_on_host, out, self, list.data(),
                                       static_cast<int64_t>(num_indices), values,
                                       static_cast<int32_t>(accumulate), device_type);
}

AOTITorchError aoti_torch_cpu_hann_window(int64_t window_length, int32_t* dtype, int32_t* layout, int32_t* device,
                                          int32_t device_index_, int32_t* /*pin_memory*/, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    PT2RUN_CHECK(window_length >= 0, InvalidArgument, "hann_window: window_length must be >= 0, got ",
                 window_length);
    pt2run::shim::require_cpu_strided(layout, device, device_index_, "hann_window");
    const DType out_dtype = dtype ? dtype_arg(*dtype) : DType::Float32;
    PT2RUN_CHECK(pt2run::is_floating_point(out_dtype), DTypeMismatch, "hann_window needs a floating dtype, got ",
                 pt2run::dtype_name(out_dtype));
    // torch.hann_window(L) is periodic: the first L points of a symmetric window of L + 1.
    Tensor w = Tensor::empty({window_length}, DType::Float64);
    for (int64_t n = 0; n < window_length; ++n)
      w.data<double>()[n] = window_length == 1 ? 1.0 : 0.5 - 0.5 * std::cos(2 * std::numbers::pi * n / window_length);
    put_result(w.to(out_dtype), ret0);
  });
}
