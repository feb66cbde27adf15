#pragma once

// pt2run's own declarations of the AOTInductor C shim (aoti-abi.md §3): the functions model
// libraries import. Written from the ABI description, not copied from PyTorch; the ABI test
// (tests/abi) compiles this header together with the installed torch's shim.h, so any
// signature that differs from torch's fails the build.

#include <cstddef>
#include <cstdint>

#define PT2RUN_SHIM_EXPORT extern "C" __attribute__((visibility("default")))

struct AtenTensorOpaque;
using AtenTensorHandle = AtenTensorOpaque*;
struct AtenGeneratorOpaque;
using AtenGeneratorHandle = AtenGeneratorOpaque*;
struct AOTIProxyExecutorOpaque;
using AOTIProxyExecutorHandle = AOTIProxyExecutorOpaque*;
using AOTITorchError = int32_t;

inline constexpr AOTITorchError kShimSuccess = 0;
inline constexpr AOTITorchError kShimFailure = 1;

// --- enum getters (values are c10's; see pt2run/dtype.h) ---
PT2RUN_SHIM_EXPORT int32_t aoti_torch_device_type_cpu();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_device_type_cuda();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_device_type_meta();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_device_type_xpu();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_device_type_mps();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_device_type_privateuse1();

PT2RUN_SHIM_EXPORT int32_t aoti_torch_dtype_float8_e5m2();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_dtype_float8_e4m3fn();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_dtype_float8_e5m2fnuz();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_dtype_float8_e4m3fnuz();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_dtype_float8_e8m0fnu();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_dtype_float4_e2m1fn_x2();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_dtype_bfloat16();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_dtype_float16();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_dtype_float32();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_dtype_float64();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_dtype_uint8();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_dtype_uint16();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_dtype_uint32();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_dtype_uint64();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_dtype_int8();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_dtype_int16();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_dtype_int32();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_dtype_int64();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_dtype_bool();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_dtype_complex32();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_dtype_complex64();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_dtype_complex128();
PT2RUN_SHIM_EXPORT size_t aoti_torch_dtype_element_size(int32_t dtype);

PT2RUN_SHIM_EXPORT int32_t aoti_torch_layout_strided();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_layout_sparse_coo();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_layout_sparse_csr();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_layout_sparse_csc();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_layout_sparse_bsr();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_layout_sparse_bsc();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_layout__mkldnn();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_layout_jagged();

PT2RUN_SHIM_EXPORT int32_t aoti_torch_memory_format_contiguous_format();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_memory_format_channels_last();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_memory_format_channels_last_3d();
PT2RUN_SHIM_EXPORT int32_t aoti_torch_memory_format_preserve_format();

// The torch release whose ABI this shim follows, encoded as TORCH_ABI_VERSION is.
PT2RUN_SHIM_EXPORT uint64_t aoti_torch_abi_version();

// --- grad mode (thread-local; pt2run never records gradients) ---
PT2RUN_SHIM_EXPORT bool aoti_torch_grad_mode_is_enabled();
PT2RUN_SHIM_EXPORT void aoti_torch_grad_mode_set_enabled(bool enabled);

// --- handles ---
// Every function returning an AtenTensorHandle through `ret*` returns a NEW handle the caller
// must delete; pointers returned by getters are BORROWED and live as long as the handle.
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_delete_tensor_object(AtenTensorHandle tensor);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_new_tensor_handle(AtenTensorHandle orig_handle,
                                                               AtenTensorHandle* new_handle);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_new_uninitialized_tensor(AtenTensorHandle* ret);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_assign_tensors(AtenTensorHandle src,
                                                            AtenTensorHandle dst);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_assign_tensors_out(AtenTensorHandle src,
                                                                AtenTensorHandle* ret_dst);

// --- properties ---
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_get_data_ptr(AtenTensorHandle tensor,
                                                          void** ret_data_ptr);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_get_storage_size(AtenTensorHandle tensor,
                                                              int64_t* ret_size);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_get_storage_numel(AtenTensorHandle tensor,
                                                               int64_t* ret_numel);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_get_dim(AtenTensorHandle tensor, int64_t* ret_dim);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_get_numel(AtenTensorHandle tensor,
                                                       int64_t* ret_numel);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_get_sizes(AtenTensorHandle tensor,
                                                       int64_t** ret_sizes);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_get_size(AtenTensorHandle tensor, int64_t d,
                                                      int64_t* ret_size);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_get_strides(AtenTensorHandle tensor,
                                                         int64_t** ret_strides);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_get_stride(AtenTensorHandle tensor, int64_t d,
                                                        int64_t* ret_stride);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_get_dtype(AtenTensorHandle tensor,
                                                       int32_t* ret_dtype);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_get_device_type(AtenTensorHandle tensor,
                                                             int32_t* ret_device_type);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_get_device_index(AtenTensorHandle tensor,
                                                              int32_t* ret_device_index);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_get_layout(AtenTensorHandle tensor,
                                                        int32_t* ret_layout);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_get_storage_offset(AtenTensorHandle tensor,
                                                                int64_t* ret_storage_offset);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_is_contiguous(AtenTensorHandle tensor,
                                                           bool* ret_is_contiguous);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_is_defined(AtenTensorHandle tensor,
                                                        bool* ret_is_defined);

// --- creation and views ---
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_empty_strided(int64_t ndim, const int64_t* sizes_ptr,
                                                           const int64_t* strides_ptr,
                                                           int32_t dtype, int32_t device_type,
                                                           int32_t device_index,
                                                           AtenTensorHandle* ret_new_tensor);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_empty_strided_pinned(
    int64_t ndim, const int64_t* sizes_ptr, const int64_t* strides_ptr, int32_t dtype,
    int32_t device_type, int32_t device_index, AtenTensorHandle* ret_new_tensor);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_create_tensor_from_blob(
    void* data, int64_t ndim, const int64_t* sizes_ptr, const int64_t* strides_ptr,
    int64_t storage_offset, int32_t dtype, int32_t device_type, int32_t device_index,
    AtenTensorHandle* ret);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_create_tensor_from_blob_v2(
    void* data, int64_t ndim, const int64_t* sizes_ptr, const int64_t* strides_ptr,
    int64_t storage_offset, int32_t dtype, int32_t device_type, int32_t device_index,
    AtenTensorHandle* ret, int32_t layout, const uint8_t* opaque_metadata,
    int64_t opaque_metadata_size);
// offset is ADDED to self's storage offset.
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch__reinterpret_tensor(AtenTensorHandle self,
                                                                 int64_t ndim,
                                                                 const int64_t* sizes_ptr,
                                                                 const int64_t* strides_ptr,
                                                                 int64_t storage_offset,
                                                                 AtenTensorHandle* ret_new_tensor);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_as_strided(AtenTensorHandle self,
                                                        const int64_t* sizes_ptr,
                                                        const int64_t* strides_ptr,
                                                        AtenTensorHandle* ret);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch__alloc_from_pool(AtenTensorHandle self,
                                                              int64_t offset_bytes, int32_t dtype,
                                                              int64_t ndim,
                                                              const int64_t* sizes_ptr,
                                                              const int64_t* strides_ptr,
                                                              AtenTensorHandle* ret_new_tensor);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_view_dtype(AtenTensorHandle self, int32_t dtype,
                                                        AtenTensorHandle* ret);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_view_as_real(AtenTensorHandle self,
                                                          AtenTensorHandle* ret);

// --- copies ---
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_clone(AtenTensorHandle self, AtenTensorHandle* ret);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_clone_preserve_strides(AtenTensorHandle self,
                                                                    AtenTensorHandle* ret);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_copy_(AtenTensorHandle self, AtenTensorHandle src,
                                                   int32_t non_blocking);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_tensor_copy_(AtenTensorHandle src,
                                                          AtenTensorHandle dst);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_zero_(AtenTensorHandle self);

// --- scalars. The float16, bfloat16 and complex variants take c10 types in torch's header;
// they are declared in shim_scalars.cpp with layout-identical types and are not part of this
// header, so the ABI test cannot compare them. ---
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_item_float32(AtenTensorHandle tensor, float* ret_value);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_item_float64(AtenTensorHandle tensor, double* ret_value);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_item_uint8(AtenTensorHandle tensor, uint8_t* ret_value);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_item_uint16(AtenTensorHandle tensor, uint16_t* ret_value);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_item_uint32(AtenTensorHandle tensor, uint32_t* ret_value);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_item_uint64(AtenTensorHandle tensor, uint64_t* ret_value);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_item_int8(AtenTensorHandle tensor, int8_t* ret_value);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_item_int16(AtenTensorHandle tensor, int16_t* ret_value);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_item_int32(AtenTensorHandle tensor, int32_t* ret_value);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_item_int64(AtenTensorHandle tensor, int64_t* ret_value);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_item_bool(AtenTensorHandle tensor, bool* ret_value);

PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_scalar_to_tensor_float32(float value, AtenTensorHandle* ret_new_tensor);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_scalar_to_tensor_float64(double value, AtenTensorHandle* ret_new_tensor);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_scalar_to_tensor_uint8(uint8_t value, AtenTensorHandle* ret_new_tensor);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_scalar_to_tensor_uint16(uint16_t value, AtenTensorHandle* ret_new_tensor);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_scalar_to_tensor_uint32(uint32_t value, AtenTensorHandle* ret_new_tensor);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_scalar_to_tensor_uint64(uint64_t value, AtenTensorHandle* ret_new_tensor);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_scalar_to_tensor_int8(int8_t value, AtenTensorHandle* ret_new_tensor);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_scalar_to_tensor_int16(int16_t value, AtenTensorHandle* ret_new_tensor);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_scalar_to_tensor_int32(int32_t value, AtenTensorHandle* ret_new_tensor);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_scalar_to_tensor_int64(int64_t value, AtenTensorHandle* ret_new_tensor);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_scalar_to_tensor_bool(bool value, AtenTensorHandle* ret_new_tensor);

// --- diagnostics ---
// Throws std::runtime_error when cond is false: generated code relies on it not returning
// (the model catches it at its C interface; aoti-abi.md §3.1).
PT2RUN_SHIM_EXPORT void aoti_torch_check(bool cond, const char* func, const char* file,
                                         uint32_t line, const char* msg);
PT2RUN_SHIM_EXPORT void aoti_torch_warn(const char* func, const char* file, uint32_t line,
                                        const char* msg);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_check_inf_and_nan(const char* tensor_name,
                                                               AtenTensorHandle tensor);
PT2RUN_SHIM_EXPORT void aoti_torch_print_tensor_handle(AtenTensorHandle self, const char* msg);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_proxy_executor_call_function(
    AOTIProxyExecutorHandle proxy_executor, int extern_node_index, int num_ints,
    int64_t* flatten_int_args, int num_tensors, AtenTensorHandle* flatten_tensor_args);

// --- CPU fallback ops: aoti_shim_cpu.h ---

// --- deprecated device-less spellings (torch <= 2.5 packages) ---
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_mm_out(AtenTensorHandle out, AtenTensorHandle self,
                                                    AtenTensorHandle mat2);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_addmm_out(AtenTensorHandle out, AtenTensorHandle self,
                                                       AtenTensorHandle mat1, AtenTensorHandle mat2,
                                                       float beta, float alpha);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_bmm_out(AtenTensorHandle out, AtenTensorHandle self,
                                                     AtenTensorHandle mat2);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_convolution(
    AtenTensorHandle input, AtenTensorHandle weight, AtenTensorHandle bias,
    const int64_t* stride_ptr, int64_t stride_size, const int64_t* padding_ptr,
    int64_t padding_size, const int64_t* dilation_ptr, int64_t dilation_size, int transposed,
    const int64_t* output_padding_ptr, int64_t output_padding_size, int64_t groups,
    AtenTensorHandle* ret);

#include "shim/aoti_shim_cpu.h"  // IWYU pragma: export
#include "shim/aoti_shim_cpu_tail.h"  // IWYU pragma: export
#include "shim/aoti_shim_aten.h"  // IWYU pragma: export
