// Enum getters and process-wide switches of the shim. The numbers are c10's (see
// pt2run/dtype.h and aoti-abi.md §3.2); generated code caches them in statics.

#include "pt2run/device.h"
#include "pt2run/dtype.h"
#include "shim/aoti_shim.h"

namespace {
constexpr int32_t code(pt2run::DType d) { return static_cast<int32_t>(d); }
thread_local bool t_grad_mode_enabled = true;  // torch's default
}  // namespace

using pt2run::DType;

int32_t aoti_torch_device_type_cpu() { return static_cast<int32_t>(pt2run::DeviceType::CPU); }
int32_t aoti_torch_device_type_cuda() { return static_cast<int32_t>(pt2run::DeviceType::CUDA); }
int32_t aoti_torch_device_type_meta() { return 14; }
int32_t aoti_torch_device_type_xpu() { return 12; }
int32_t aoti_torch_device_type_mps() { return 13; }
int32_t aoti_torch_device_type_privateuse1() { return 20; }

int32_t aoti_torch_dtype_float8_e5m2() { return code(DType::Float8_e5m2); }
int32_t aoti_torch_dtype_float8_e4m3fn() { return code(DType::Float8_e4m3fn); }
int32_t aoti_torch_dtype_float8_e5m2fnuz() { return code(DType::Float8_e5m2fnuz); }
int32_t aoti_torch_dtype_float8_e4m3fnuz() { return code(DType::Float8_e4m3fnuz); }
int32_t aoti_torch_dtype_float8_e8m0fnu() { return code(DType::Float8_e8m0fnu); }
int32_t aoti_torch_dtype_float4_e2m1fn_x2() { return code(DType::Float4_e2m1fn_x2); }
int32_t aoti_torch_dtype_bfloat16() { return code(DType::BFloat16); }
int32_t aoti_torch_dtype_float16() { return code(DType::Float16); }
int32_t aoti_torch_dtype_float32() { return code(DType::Float32); }
int32_t aoti_torch_dtype_float64() { return code(DType::Float64); }
int32_t aoti_torch_dtype_uint8() { return code(DType::UInt8); }
int32_t aoti_torch_dtype_uint16() { return code(DType::UInt16); }
int32_t aoti_torch_dtype_uint32() { return code(DType::UInt32); }
int32_t aoti_torch_dtype_uint64() { return code(DType::UInt64); }
int32_t aoti_torch_dtype_int8() { return code(DType::Int8); }
int32_t aoti_torch_dtype_int16() { return code(DType::Int16); }
int32_t aoti_torch_dtype_int32() { return code(DType::Int32); }
int32_t aoti_torch_dtype_int64() { return code(DType::Int64); }
int32_t aoti_torch_dtype_bool() { return code(DType::Bool); }
int32_t aoti_torch_dtype_complex32() { return code(DType::Complex32); }
int32_t aoti_torch_dtype_complex64() { return code(DType::Complex64); }
int32_t aoti_torch_dtype_complex128() { return code(DType::Complex128); }

size_t aoti_torch_dtype_element_size(int32_t dtype) {
  auto d = pt2run::dtype_from_code(dtype);
  return d ? pt2run::element_size(*d) : 0;
}

int32_t aoti_torch_layout_strided() { return 0; }
int32_t aoti_torch_layout_sparse_coo() { return 1; }
int32_t aoti_torch_layout_sparse_csr() { return 2; }
int32_t aoti_torch_layout__mkldnn() { return 3; }
int32_t aoti_torch_layout_sparse_csc() { return 4; }
int32_t aoti_torch_layout_sparse_bsr() { return 5; }
int32_t aoti_torch_layout_sparse_bsc() { return 6; }
int32_t aoti_torch_layout_jagged() { return 7; }

int32_t aoti_torch_memory_format_contiguous_format() { return 0; }
int32_t aoti_torch_memory_format_preserve_format() { return 1; }
int32_t aoti_torch_memory_format_channels_last() { return 2; }
int32_t aoti_torch_memory_format_channels_last_3d() { return 3; }

uint64_t aoti_torch_abi_version() {
  // TORCH_ABI_VERSION layout: (major << 56) | (minor << 48) | (patch << 40) | tag. pt2run
  // follows the 2.14 shim.
  return (uint64_t{2} << 56) | (uint64_t{14} << 48);
}

bool aoti_torch_grad_mode_is_enabled() { return t_grad_mode_enabled; }
void aoti_torch_grad_mode_set_enabled(bool enabled) { t_grad_mode_enabled = enabled; }
