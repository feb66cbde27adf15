// item_* reads a one-element tensor as a C scalar (converting like torch's item()), and
// scalar_to_tensor_* makes a 0-dim tensor from one.

#include <cstring>

#include "core/tensor_copy.h"
#include "shim/shim_guard.h"

using pt2run::DType;
using pt2run::Tensor;
using pt2run::shim::guard;
using pt2run::shim::release_handle;
using pt2run::shim::require_out;
using pt2run::shim::tensor;

namespace {

// Layout-identical stand-ins for c10::Half, c10::BFloat16 and c10::complex<T>, which torch's
// header uses in these signatures.
struct Bits16 {
  uint16_t x;
};
template <class T>
struct ComplexOf {
  T real, imag;
};

template <class T>
AOTITorchError item(const char* function, AtenTensorHandle handle, T* out, DType as) {
  return guard(function, [&] {
    const Tensor& t = tensor(handle);
    PT2RUN_CHECK(t.numel() == 1, InvalidArgument, "item() needs a tensor with one element, got ",
                 t.describe());
    require_out(out, "ret_value");
    Tensor target = Tensor::from_blob(out, {}, as);
    pt2run::detail::copy_elements(target, t.as_strided({}, {}, t.storage_offset()));
  });
}

template <class T>
AOTITorchError scalar(const char* function, T value, DType as, AtenTensorHandle* ret) {
  return guard(function, [&] {
    Tensor t = Tensor::empty({}, as);
    std::memcpy(t.data_ptr(), &value, sizeof(T));
    *require_out(ret, "ret_new_tensor") = release_handle(std::move(t));
  });
}

}  // namespace

#define PT2RUN_ITEM(name, ctype, dtype)                                    \
  AOTITorchError aoti_torch_item_##name(AtenTensorHandle t, ctype* out) { \
    return item(__func__, t, out, DType::dtype);                           \
  }
#define PT2RUN_SCALAR(name, ctype, dtype)                                                  \
  AOTITorchError aoti_torch_scalar_to_tensor_##name(ctype value, AtenTensorHandle* ret) { \
    return scalar(__func__, value, DType::dtype, ret);                                     \
  }

PT2RUN_ITEM(float32, float, Float32)
PT2RUN_ITEM(float64, double, Float64)
PT2RUN_ITEM(uint8, uint8_t, UInt8)
PT2RUN_ITEM(uint16, uint16_t, UInt16)
PT2RUN_ITEM(uint32, uint32_t, UInt32)
PT2RUN_ITEM(uint64, uint64_t, UInt64)
PT2RUN_ITEM(int8, int8_t, Int8)
PT2RUN_ITEM(int16, int16_t, Int16)
PT2RUN_ITEM(int32, int32_t, Int32)
PT2RUN_ITEM(int64, int64_t, Int64)
PT2RUN_ITEM(bool, bool, Bool)

PT2RUN_SCALAR(float32, float, Float32)
PT2RUN_SCALAR(float64, double, Float64)
PT2RUN_SCALAR(uint8, uint8_t, UInt8)
PT2RUN_SCALAR(uint16, uint16_t, UInt16)
PT2RUN_SCALAR(uint32, uint32_t, UInt32)
PT2RUN_SCALAR(uint64, uint64_t, UInt64)
PT2RUN_SCALAR(int8, int8_t, Int8)
PT2RUN_SCALAR(int16, int16_t, Int16)
PT2RUN_SCALAR(int32, int32_t, Int32)
PT2RUN_SCALAR(int64, int64_t, Int64)
PT2RUN_SCALAR(bool, bool, Bool)

// The variants whose torch signatures use c10 types (not in aoti_shim.h, see there).
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_item_float16(AtenTensorHandle t, Bits16* out) {
  return item(__func__, t, out, DType::Float16);
}
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_item_bfloat16(AtenTensorHandle t, Bits16* out) {
  return item(__func__, t, out, DType::BFloat16);
}
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_item_complex64(AtenTensorHandle t,
                                                           ComplexOf<float>* out) {
  return item(__func__, t, out, DType::Complex64);
}
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_scalar_to_tensor_complex64(ComplexOf<float> value,
                                                                       AtenTensorHandle* ret) {
  return scalar(__func__, value, DType::Complex64, ret);
}
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_scalar_to_tensor_complex128(ComplexOf<double> value,
                                                                        AtenTensorHandle* ret) {
  return scalar(__func__, value, DType::Complex128, ret);
}
