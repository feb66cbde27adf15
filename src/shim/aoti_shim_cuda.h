#pragma once

// The CUDA part of the AOTInductor C shim (aoti-abi.md §3.4 and the CUDA fallback ops),
// exported by libpt2run_cuda. Our own declarations; tests/abi compiles them against torch's
// c_shim_cuda.h.

#include "shim/aoti_shim.h"

struct CUDAGuardOpaque;
using CUDAGuardHandle = CUDAGuardOpaque*;
struct CUDAStreamGuardOpaque;
using CUDAStreamGuardHandle = CUDAStreamGuardOpaque*;

// Device and stream guards: generated run_impl opens a stream guard on the run's stream and
// queries the current stream to launch kernels and fallbacks.
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_create_cuda_guard(int32_t device_index,
                                                               CUDAGuardHandle* ret_guard);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_delete_cuda_guard(CUDAGuardHandle guard);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cuda_guard_set_index(CUDAGuardHandle guard,
                                                                  int32_t device_index);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_create_cuda_stream_guard(void* stream,
                                                                      int32_t device_index,
                                                                      CUDAStreamGuardHandle* ret_guard);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_delete_cuda_stream_guard(CUDAStreamGuardHandle guard);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_get_current_cuda_stream(int32_t device_index,
                                                                     void** ret_stream);

// GEMM fallbacks (cuBLAS).
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cuda_mm_out(AtenTensorHandle out, AtenTensorHandle self,
                                                         AtenTensorHandle mat2);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cuda_addmm_out(AtenTensorHandle out, AtenTensorHandle self,
                                                            AtenTensorHandle mat1, AtenTensorHandle mat2,
                                                            double beta, double alpha);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cuda_bmm_out(AtenTensorHandle out, AtenTensorHandle self,
                                                          AtenTensorHandle mat2);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cuda_baddbmm_out(AtenTensorHandle out, AtenTensorHandle self,
                                                              AtenTensorHandle batch1,
                                                              AtenTensorHandle batch2, double beta,
                                                              double alpha);

// Convolution (cuDNN).
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cuda_convolution(
    AtenTensorHandle input, AtenTensorHandle weight, AtenTensorHandle* bias, const int64_t* stride,
    int64_t stride_len_, const int64_t* padding, int64_t padding_len_, const int64_t* dilation,
    int64_t dilation_len_, int32_t transposed, const int64_t* output_padding, int64_t output_padding_len_,
    int64_t groups, AtenTensorHandle* ret0);

// Fused attention (our kernel, backends/cuda/attention.h).
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cuda__scaled_dot_product_efficient_attention(
    AtenTensorHandle query, AtenTensorHandle key, AtenTensorHandle value, AtenTensorHandle* attn_bias,
    int32_t compute_log_sumexp, double dropout_p, int32_t is_causal, double* scale, AtenTensorHandle* ret0,
    AtenTensorHandle* ret1, AtenTensorHandle* ret2, AtenTensorHandle* ret3);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cuda__scaled_dot_product_flash_attention(
    AtenTensorHandle query, AtenTensorHandle key, AtenTensorHandle value, double dropout_p, int32_t is_causal,
    int32_t return_debug_mask, double* scale, AtenTensorHandle* ret0, AtenTensorHandle* ret1, AtenTensorHandle* ret2,
    AtenTensorHandle* ret3, int64_t* ret4, int64_t* ret5, AtenTensorHandle* ret6, AtenTensorHandle* ret7,
    AtenTensorHandle* ret8);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cuda__scaled_dot_product_cudnn_attention(
    AtenTensorHandle query, AtenTensorHandle key, AtenTensorHandle value, AtenTensorHandle* attn_bias,
    int32_t compute_log_sumexp, double dropout_p, int32_t is_causal, int32_t return_debug_mask, double* scale,
    AtenTensorHandle* ret0, AtenTensorHandle* ret1, AtenTensorHandle* ret2, AtenTensorHandle* ret3, int64_t* ret4,
    int64_t* ret5, AtenTensorHandle* ret6, AtenTensorHandle* ret7, AtenTensorHandle* ret8);
