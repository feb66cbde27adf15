// Joining, padding, filling and making tensors, and the in-place storage ops (resize_, set_):
// fallbacks AOTInductor emits for cat/pad/full when its own kernels do not cover the case, for
// data-dependent shapes (nonzero_static) and for mutation it cannot lower.

#include <cstring>
#include <string_view>

#include "backends/cpu/random.h"
#include "backends/cpu/sorting.h"
#include "backends/cpu/tensor_build.h"
#include "core/layout.h"
#include "core/storage.h"
#include "core/views.h"
#include "shim/host_staged.h"
#include "shim/shim_args.h"
#include "shim/shim_guard.h"

using pt2run::DType;
using pt2run::Tensor;
using pt2run::shim::dtype_arg;
using pt2run::shim::call_on_host;
using pt2run::shim::guard;
using pt2run::shim::int_array;
using pt2run::shim::put_result;
using pt2run::shim::tensor;
namespace cpu = pt2run::cpu;

namespace {

Tensor padded(AtenTensorHandle self, const int64_t* pad, int64_t pad_len, const char* mode, const double* value) {
  PT2RUN_CHECK(mode != nullptr, InvalidArgument, "pad: null mode");
  return cpu::pad(tensor(self), int_array(pad, pad_len, "pad"), mode, value);
}

// The memory format argument of resize_ and friends: contiguous (or absent) and channels-last.
std::vector<int64_t> strides_for(const std::vector<int64_t>& sizes, const int32_t* memory_format, const char* op) {
  const int32_t mf = memory_format ? *memory_format : 1;
  if (mf == 2) {
    PT2RUN_CHECK(sizes.size() == 4 || sizes.size() == 5, InvalidArgument, op,
                 ": channels_last needs 4 or 5 dims, got ", sizes.size());
    return pt2run::detail::channels_last_strides(sizes);
  }
  PT2RUN_CHECK(mf == 0 || mf == 1, InvalidArgument, op, ": memory format ", mf,
               " is not supported (contiguous or channels_last)");
  return pt2run::contiguous_strides(sizes);
}

// torch's Tensor.resize_: the same storage when it is large enough, else a larger one holding
// the old bytes; the sizes and contiguous (or channels-last) strides are the new ones. Only
// metadata and a byte copy: it serves CUDA's resize_ too.
void resize(Tensor& t, const std::vector<int64_t>& sizes, const int32_t* memory_format, const char* op) {
  int64_t numel = 1;
  for (int64_t s : sizes) {
    PT2RUN_CHECK(s >= 0, InvalidArgument, op, ": negative size ", s);
    numel *= s;
  }
  const std::vector<int64_t> strides = strides_for(sizes, memory_format, op);
  const std::size_t needed = static_cast<std::size_t>(t.storage_offset() + numel) * t.element_size();
  std::shared_ptr<pt2run::detail::Storage> storage = t.storage();
  if (storage == nullptr || storage->nbytes < needed) {
    const pt2run::Device device = t.device();
    auto grown = device.is_cpu() ? pt2run::detail::allocate_cpu_storage(needed)
                                 : pt2run::detail::allocate_device_storage(needed, device);
    if (storage != nullptr && storage->nbytes > 0) {
      const auto old_bytes = static_cast<int64_t>(storage->nbytes);
      Tensor(grown, {old_bytes}, {1}, 0, DType::UInt8).copy_(Tensor(storage, {old_bytes}, {1}, 0, DType::UInt8));
    }
    storage = std::move(grown);
  }
  t = Tensor(std::move(storage), sizes, strides, t.storage_offset(), t.dtype());
}

}  // namespace

AOTITorchError aoti_torch_cpu_cat(const AtenTensorHandle* tensors, int64_t tensors_len_, int64_t dim,
                                  AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    PT2RUN_CHECK(tensors_len_ >= 0 && (tensors != nullptr || tensors_len_ == 0), InvalidArgument,
                 "cat: bad tensor list of length ", tensors_len_);
    std::vector<const Tensor*> inputs;
    for (int64_t i = 0; i < tensors_len_; ++i) inputs.push_back(&tensor(tensors[i]));
    put_result(cpu::cat(inputs, dim), ret0);
  });
}

AOTITorchError aoti_torch_cpu_pad(AtenTensorHandle self, const int64_t* pad, int64_t pad_len_, const char* mode,
                                  double* value, AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(padded(self, pad, pad_len_, mode, value), ret0); });
}

// The aten_* functions are torch's device-generic fallbacks: a CUDA graph calls them with CUDA
// tensors, which the CPU kernels get as host copies (shim/host_staged.h).
AOTITorchError aoti_torch_aten_pad(AtenTensorHandle self, const int64_t* pad, int64_t pad_len_, const char* mode,
                                   double* value, AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_pad, self, pad, pad_len_, mode, value, ret0);
}

AOTITorchError aoti_torch_cpu_fill__Scalar(AtenTensorHandle self, double value) {
  return guard(__func__, [&] { cpu::fill(tensor(self), value); });
}

AOTITorchError aoti_torch_aten_fill__Scalar(AtenTensorHandle self, double value) {
  return call_on_host<0>(__func__, aoti_torch_cpu_fill__Scalar, self, value);
}

AOTITorchError aoti_torch_aten_full(const int64_t* size, int64_t size_len_, double fill_value, int32_t* dtype,
                                    int32_t* layout, int32_t* device, int32_t device_index_, int32_t* /*pin_memory*/,
                                    AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    const pt2run::Device where = pt2run::shim::factory_device(layout, device, device_index_, pt2run::Device::cpu(), "full");
    // Without a dtype torch infers one from the Python number; the shim gets a double, so the
    // default floating dtype is the only reading (exported graphs record the dtype).
    put_result(cpu::full(int_array(size, size_len_, "size"), fill_value, dtype ? dtype_arg(*dtype) : DType::Float32)
                   .to(where),
               ret0);
  });
}

AOTITorchError aoti_torch_aten_new_empty(AtenTensorHandle self, const int64_t* size, int64_t size_len_,
                                         int32_t* dtype, int32_t* layout, int32_t* device, int32_t device_index_,
                                         int32_t* /*pin_memory*/, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    const pt2run::Device where = pt2run::shim::factory_device(layout, device, device_index_, tensor(self).device(), "new_empty");
    const DType dt = dtype ? dtype_arg(*dtype) : tensor(self).dtype();
    put_result(Tensor::empty(int_array(size, size_len_, "size"), dt, where), ret0);
  });
}

AOTITorchError aoti_torch_aten_new_zeros(AtenTensorHandle self, const int64_t* size, int64_t size_len_,
                                         int32_t* dtype, int32_t* layout, int32_t* device, int32_t device_index_,
                                         int32_t* /*pin_memory*/, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    const pt2run::Device where = pt2run::shim::factory_device(layout, device, device_index_, tensor(self).device(), "new_zeros");
    const DType dt = dtype ? dtype_arg(*dtype) : tensor(self).dtype();
    put_result(cpu::full(int_array(size, size_len_, "size"), 0.0, dt).to(where), ret0);
  });
}

AOTITorchError aoti_torch_cpu__efficientzerotensor(const int64_t* size, int64_t size_len_, int32_t* dtype,
                                                   int32_t* layout, int32_t* device, int32_t device_index_,
                                                   int32_t* /*pin_memory*/, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    pt2run::shim::require_cpu_strided(layout, device, device_index_, "_efficientzerotensor");
    // torch's zero tensor reads as zeros everywhere; here it is an ordinary zero-filled tensor.
    put_result(cpu::full(int_array(size, size_len_, "size"), 0.0, dtype ? dtype_arg(*dtype) : DType::Float32), ret0);
  });
}

AOTITorchError aoti_torch_aten_narrow(AtenTensorHandle self, int64_t dim, int64_t start, int64_t length,
                                      AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(pt2run::detail::narrow(tensor(self), dim, start, length), ret0); });
}

namespace {

AOTITorchError amax_on_host(AtenTensorHandle self, const int64_t* dim, int64_t dim_len_, int32_t keepdim,
                            AtenTensorHandle* ret0) {
  return guard("aoti_torch_aten_amax", [&] { put_result(cpu::amax(tensor(self), int_array(dim, dim_len_, "dim"), keepdim != 0), ret0); });
}

}  // namespace

AOTITorchError aoti_torch_aten_amax(AtenTensorHandle self, const int64_t* dim, int64_t dim_len_, int32_t keepdim,
                                    AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, amax_on_host, self, dim, dim_len_, keepdim, ret0);
}

AOTITorchError aoti_torch_cpu_nonzero_static(AtenTensorHandle self, int64_t size, int64_t fill_value,
                                             AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(cpu::nonzero_static(tensor(self), size, fill_value), ret0); });
}

AOTITorchError aoti_torch_cpu_bucketize_Tensor(AtenTensorHandle self, AtenTensorHandle boundaries, int32_t out_int32,
                                               int32_t right, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    const Tensor& b = tensor(boundaries);
    PT2RUN_CHECK(b.dim() == 1, ShapeMismatch, "bucketize: boundaries must be 1-d, got ", b.describe());
    put_result(cpu::searchsorted(b, tensor(self), out_int32 != 0, right != 0, nullptr), ret0);
  });
}

AOTITorchError aoti_torch_cpu_resize_(AtenTensorHandle self, const int64_t* size, int64_t size_len_,
                                      int32_t* memory_format) {
  return guard(__func__, [&] { resize(tensor(self), int_array(size, size_len_, "size"), memory_format, "resize_"); });
}

AOTITorchError aoti_torch_cpu_resize_as_(AtenTensorHandle self, AtenTensorHandle the_template,
                                         int32_t* memory_format) {
  return guard(__func__, [&] {
    const Tensor& like = tensor(the_template);
    // Without a memory format torch keeps the template's sizes with contiguous strides.
    resize(tensor(self), pt2run::detail::sizes_of(like), memory_format, "resize_as_");
  });
}

AOTITorchError aoti_torch_cpu_set__source_Tensor(AtenTensorHandle self, AtenTensorHandle source) {
  return guard(__func__, [&] {
    Tensor& t = tensor(self);
    const Tensor& src = tensor(source);
    PT2RUN_CHECK(t.dtype() == src.dtype(), DTypeMismatch, "set_: the source ", src.describe(),
                 " must have the dtype of ", t.describe());
    t = src;  // shares the source's storage, sizes, strides and offset
  });
}

AOTITorchError aoti_torch_cpu_native_dropout(AtenTensorHandle input, double p, int32_t* train, AtenTensorHandle* ret0,
                                             AtenTensorHandle* ret1) {
  return guard(__func__, [&] {
    const Tensor& x = tensor(input);
    PT2RUN_CHECK(p >= 0 && p <= 1, InvalidArgument, "native_dropout: p must be in [0, 1], got ", p);
    PT2RUN_CHECK(pt2run::is_floating_point(x.dtype()), DTypeMismatch, "native_dropout needs a floating-point input, got ",
                 x.describe());
    if (x.numel() == 0) {  // torch returns the input itself and an empty mask of its dtype
      put_result(x, ret0);
      put_result(pt2run::detail::empty_like(x, x.dtype()), ret1);
      return;
    }
    Tensor keep = pt2run::detail::empty_like(x, x.dtype());
    const bool training = train == nullptr || *train != 0;
    if (training) {
      // torch: mask = empty_like(input).bernoulli_(1 - p); output = input * mask * (1 / (1 - p)).
      cpu::bernoulli(keep, 1 - p);
    } else {
      cpu::fill(keep, 1.0);
    }
    const double p1m = 1 - p;
    double scale = training ? (p1m == 0 ? 0.0 : 1.0 / p1m) : 1.0;
    // The scale as torch multiplies by it: in float for every dtype narrower than double.
    if (x.dtype() != DType::Float64) scale = static_cast<float>(scale);
    const Tensor xd = x.to(DType::Float64), kd = keep.to(DType::Float64);
    Tensor product = Tensor::empty(pt2run::detail::sizes_of(x), DType::Float64);
    for (int64_t i = 0; i < product.numel(); ++i)
      product.data<double>()[i] = xd.data<double>()[i] * kd.data<double>()[i] * scale;
    Tensor out = pt2run::detail::empty_like(x, x.dtype());
    out.copy_(product);
    Tensor mask = pt2run::detail::empty_like(x, DType::Bool);
    mask.copy_(keep);
    put_result(std::move(out), ret0);
    put_result(std::move(mask), ret1);
  });
}
