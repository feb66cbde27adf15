// Handle lifetime and tensor properties.

#include "core/storage.h"
#include "shim/input_handles.h"
#include "shim/shim_guard.h"

using pt2run::Tensor;
using pt2run::shim::guard;
using pt2run::shim::release_handle;
using pt2run::shim::require_out;
using pt2run::shim::tensor;

AOTITorchError aoti_torch_delete_tensor_object(AtenTensorHandle handle) {
  return guard(__func__, [&] {
    pt2run::shim::note_handle_deleted(handle);
    delete reinterpret_cast<Tensor*>(handle);
  });
}

AOTITorchError aoti_torch_new_tensor_handle(AtenTensorHandle orig, AtenTensorHandle* ret) {
  return guard(__func__, [&] {
    AtenTensorHandle created = release_handle(tensor(orig));
    try {
      pt2run::shim::note_handle_created(created);
    } catch (...) {
      delete reinterpret_cast<Tensor*>(created);
      throw;
    }
    *require_out(ret, "new_handle") = created;
  });
}

AOTITorchError aoti_torch_new_uninitialized_tensor(AtenTensorHandle* ret) {
  return guard(__func__, [&] { *require_out(ret, "ret") = release_handle(Tensor()); });
}

AOTITorchError aoti_torch_assign_tensors(AtenTensorHandle src, AtenTensorHandle dst) {
  return guard(__func__, [&] { tensor(dst) = tensor(src); });
}

AOTITorchError aoti_torch_assign_tensors_out(AtenTensorHandle src, AtenTensorHandle* ret_dst) {
  return guard(__func__, [&] { *require_out(ret_dst, "ret_dst") = release_handle(tensor(src)); });
}

AOTITorchError aoti_torch_get_data_ptr(AtenTensorHandle h, void** ret) {
  return guard(__func__, [&] { *require_out(ret, "ret_data_ptr") = tensor(h).data_ptr(); });
}

AOTITorchError aoti_torch_get_storage_size(AtenTensorHandle h, int64_t* ret) {
  return guard(__func__, [&] {
    *require_out(ret, "ret_size") = static_cast<int64_t>(tensor(h).storage_nbytes());
  });
}

AOTITorchError aoti_torch_get_storage_numel(AtenTensorHandle h, int64_t* ret) {
  return guard(__func__, [&] {
    const Tensor& t = tensor(h);
    *require_out(ret, "ret_numel") = static_cast<int64_t>(t.storage_nbytes() / t.element_size());
  });
}

AOTITorchError aoti_torch_get_dim(AtenTensorHandle h, int64_t* ret) {
  return guard(__func__, [&] { *require_out(ret, "ret_dim") = tensor(h).dim(); });
}

AOTITorchError aoti_torch_get_numel(AtenTensorHandle h, int64_t* ret) {
  return guard(__func__, [&] { *require_out(ret, "ret_numel") = tensor(h).numel(); });
}

AOTITorchError aoti_torch_get_sizes(AtenTensorHandle h, int64_t** ret) {
  return guard(__func__, [&] {
    *require_out(ret, "ret_sizes") = const_cast<int64_t*>(tensor(h).sizes().data());
  });
}

AOTITorchError aoti_torch_get_size(AtenTensorHandle h, int64_t d, int64_t* ret) {
  return guard(__func__, [&] { *require_out(ret, "ret_size") = tensor(h).size(d); });
}

AOTITorchError aoti_torch_get_strides(AtenTensorHandle h, int64_t** ret) {
  return guard(__func__, [&] {
    *require_out(ret, "ret_strides") = const_cast<int64_t*>(tensor(h).strides().data());
  });
}

AOTITorchError aoti_torch_get_stride(AtenTensorHandle h, int64_t d, int64_t* ret) {
  return guard(__func__, [&] { *require_out(ret, "ret_stride") = tensor(h).stride(d); });
}

AOTITorchError aoti_torch_get_dtype(AtenTensorHandle h, int32_t* ret) {
  return guard(__func__, [&] { *require_out(ret, "ret_dtype") = pt2run::dtype_code(tensor(h).dtype()); });
}

AOTITorchError aoti_torch_get_device_type(AtenTensorHandle h, int32_t* ret) {
  return guard(__func__, [&] {
    *require_out(ret, "ret_device_type") = static_cast<int32_t>(tensor(h).device().type);
  });
}

AOTITorchError aoti_torch_get_device_index(AtenTensorHandle h, int32_t* ret) {
  return guard(__func__, [&] {
    pt2run::Device device = tensor(h).device();
    // As in torch, CPU tensors have no device index.
    *require_out(ret, "ret_device_index") = device.is_cpu() ? -1 : device.index;
  });
}

AOTITorchError aoti_torch_get_layout(AtenTensorHandle h, int32_t* ret) {
  return guard(__func__, [&] {
    tensor(h);
    *require_out(ret, "ret_layout") = 0;  // pt2run tensors are always strided
  });
}

AOTITorchError aoti_torch_get_storage_offset(AtenTensorHandle h, int64_t* ret) {
  return guard(__func__, [&] { *require_out(ret, "ret_storage_offset") = tensor(h).storage_offset(); });
}

AOTITorchError aoti_torch_is_contiguous(AtenTensorHandle h, bool* ret) {
  return guard(__func__, [&] { *require_out(ret, "ret_is_contiguous") = tensor(h).is_contiguous(); });
}

AOTITorchError aoti_torch_is_defined(AtenTensorHandle h, bool* ret) {
  return guard(__func__, [&] { *require_out(ret, "ret_is_defined") = tensor(h).defined(); });
}
