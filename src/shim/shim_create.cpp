// Tensor creation and views.

#include "backends/cpu/onednn_packed.h"
#include "core/storage.h"
#include "core/views.h"
#include "shim/shim_args.h"
#include "shim/opaque_metadata.h"
#include "shim/shim_guard.h"

using pt2run::DType;
using pt2run::Tensor;
using pt2run::shim::device_arg;
using pt2run::shim::dtype_arg;
using pt2run::shim::guard;
using pt2run::shim::int_array;
using pt2run::shim::release_handle;
using pt2run::shim::require_out;
using pt2run::shim::tensor;

AOTITorchError aoti_torch_empty_strided(int64_t ndim, const int64_t* sizes, const int64_t* strides,
                                        int32_t dtype, int32_t device_type, int32_t device_index,
                                        AtenTensorHandle* ret) {
  return guard(__func__, [&] {
    pt2run::Device device = device_arg(device_type, device_index);
    *require_out(ret, "ret_new_tensor") = release_handle(Tensor::empty_strided(
        int_array(sizes, ndim, "sizes"), int_array(strides, ndim, "strides"), dtype_arg(dtype),
        device));
  });
}

AOTITorchError aoti_torch_empty_strided_pinned(int64_t ndim, const int64_t* sizes,
                                               const int64_t* strides, int32_t dtype,
                                               int32_t device_type, int32_t device_index,
                                               AtenTensorHandle* ret) {
  // Pinning only speeds up host-device copies; plain CPU memory is correct.
  return aoti_torch_empty_strided(ndim, sizes, strides, dtype, device_type, device_index, ret);
}

AOTITorchError aoti_torch_create_tensor_from_blob(void* data, int64_t ndim, const int64_t* sizes,
                                                  const int64_t* strides, int64_t storage_offset,
                                                  int32_t dtype, int32_t device_type,
                                                  int32_t device_index, AtenTensorHandle* ret) {
  return guard(__func__, [&] {
    *require_out(ret, "ret") = release_handle(Tensor::from_blob(
        data, int_array(sizes, ndim, "sizes"), int_array(strides, ndim, "strides"),
        dtype_arg(dtype), device_arg(device_type, device_index), nullptr, storage_offset));
  });
}

AOTITorchError aoti_torch_create_tensor_from_blob_v2(void* data, int64_t ndim, const int64_t* sizes,
                                                     const int64_t* strides, int64_t storage_offset,
                                                     int32_t dtype, int32_t device_type,
                                                     int32_t device_index, AtenTensorHandle* ret,
                                                     int32_t layout, const uint8_t* opaque_metadata,
                                                     int64_t opaque_metadata_size) {
  constexpr int32_t kStrided = 0, kMkldnn = 3;
  if (layout == kStrided)
    return aoti_torch_create_tensor_from_blob(data, ndim, sizes, strides, storage_offset, dtype,
                                              device_type, device_index, ret);
  return guard(__func__, [&] {
    PT2RUN_CHECK(layout == kMkldnn, NotImplemented, "layout ", layout,
                 " is not supported (pt2run reads strided tensors and oneDNN-prepacked weights)");
    PT2RUN_CHECK(device_arg(device_type, device_index).is_cpu(), DeviceMismatch,
                 "a oneDNN-prepacked weight must be a CPU constant");
    PT2RUN_CHECK(data != nullptr && storage_offset == 0, InvalidArgument,
                 "a oneDNN-prepacked weight needs its data and no storage offset");
    const std::vector<int64_t> shape = int_array(sizes, ndim, "sizes");
    const DType type = dtype_arg(dtype);
    auto packed = std::make_shared<const pt2run::detail::PackedLayout>(
        pt2run::shim::parse_mkldnn_metadata(opaque_metadata, opaque_metadata_size, shape, type));
    // Fails here, at load, when this oneDNN cannot name the layout, not at the first run.
    pt2run::cpu::onednn::packed_desc(*packed);
    // The view's sizes are torch's; its strides are contiguous so that every view stays inside
    // the storage (the package's strides of a Mkldnn constant mean nothing).
    auto storage = pt2run::detail::wrap_storage(data, packed->nbytes, pt2run::Device::cpu(), nullptr);
    storage->packed_layout = std::move(packed);
    *require_out(ret, "ret") =
        release_handle(Tensor(std::move(storage), shape, pt2run::contiguous_strides(shape), 0, type));
  });
}

AOTITorchError aoti_torch__reinterpret_tensor(AtenTensorHandle self, int64_t ndim,
                                              const int64_t* sizes, const int64_t* strides,
                                              int64_t offset_increment, AtenTensorHandle* ret) {
  return guard(__func__, [&] {
    const Tensor& t = tensor(self);
    *require_out(ret, "ret_new_tensor") = release_handle(
        t.as_strided(int_array(sizes, ndim, "sizes"), int_array(strides, ndim, "strides"),
                     t.storage_offset() + offset_increment));
  });
}

AOTITorchError aoti_torch_as_strided(AtenTensorHandle self, const int64_t* sizes,
                                     const int64_t* strides, AtenTensorHandle* ret) {
  return guard(__func__, [&] {
    const Tensor& t = tensor(self);
    *require_out(ret, "ret") = release_handle(t.as_strided(
        int_array(sizes, t.dim(), "sizes"), int_array(strides, t.dim(), "strides"),
        t.storage_offset()));
  });
}

AOTITorchError aoti_torch__alloc_from_pool(AtenTensorHandle self, int64_t offset_bytes,
                                           int32_t dtype, int64_t ndim, const int64_t* sizes,
                                           const int64_t* strides, AtenTensorHandle* ret) {
  return guard(__func__, [&] {
    const Tensor& pool = tensor(self);
    PT2RUN_CHECK(pool.storage_offset() == 0, InvalidArgument,
                 "_alloc_from_pool needs a pool tensor with storage offset 0");
    DType view_dtype = dtype_arg(dtype);
    const auto item = static_cast<int64_t>(pt2run::element_size(view_dtype));
    PT2RUN_CHECK(offset_bytes >= 0 && offset_bytes % item == 0, InvalidArgument, "offset ",
                 offset_bytes, " is not a multiple of the element size ", item);
    Tensor retyped(pool.storage(), {}, {}, 0, view_dtype);
    *require_out(ret, "ret_new_tensor") = release_handle(retyped.as_strided(
        int_array(sizes, ndim, "sizes"), int_array(strides, ndim, "strides"), offset_bytes / item));
  });
}

AOTITorchError aoti_torch_view_dtype(AtenTensorHandle self, int32_t dtype, AtenTensorHandle* ret) {
  return guard(__func__, [&] {
    *require_out(ret, "ret") = release_handle(pt2run::detail::view_dtype(tensor(self), dtype_arg(dtype)));
  });
}

AOTITorchError aoti_torch_view_as_real(AtenTensorHandle self, AtenTensorHandle* ret) {
  return guard(__func__, [&] {
    *require_out(ret, "ret") = release_handle(pt2run::detail::view_as_real(tensor(self)));
  });
}
