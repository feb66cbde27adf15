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
