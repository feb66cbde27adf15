#pragma once

#include <cuda_runtime_api.h>

#include "core/check.h"

// Throws pt2run::Error for a failed CUDA runtime call, naming the call and CUDA's message;
// out-of-memory becomes ErrorCode::OutOfMemory.
#define PT2RUN_CUDA_CHECK(call)                                                               \
  do {                                                                                        \
    cudaError_t pt2run_cuda_status_ = (call);                                                 \
    if (pt2run_cuda_status_ != cudaSuccess) {                                                 \
      (void)cudaGetLastError(); /* clear the sticky-free error state */                       \
      ::pt2run::detail::fail(pt2run_cuda_status_ == cudaErrorMemoryAllocation                 \
                                 ? ::pt2run::ErrorCode::OutOfMemory                           \
                                 : ::pt2run::ErrorCode::Internal,                             \
                             #call " failed: ", cudaGetErrorString(pt2run_cuda_status_));     \
    }                                                                                         \
  } while (0)
