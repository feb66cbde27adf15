#pragma once

#include "pt2run/export.h"
#include "pt2run/tensor.h"

// From <dlpack/dlpack.h> (DLPack 0.6 or later, the unversioned ABI that numpy, torch, JAX and
// CuPy exchange as "dltensor" capsules). Declared here so this header does not need it.
struct DLManagedTensor;

namespace pt2run {

// Shares `tensor` with another framework, without a copy. The returned DLManagedTensor keeps
// a reference to the tensor's storage until the consumer calls its deleter (exactly once);
// the tensor itself may go away first. Strides are in elements, as DLPack wants. Throws
// Error(NotImplemented) for a dtype DLPack cannot describe (float8 variants other than e4m3fn
// and e5m2, sub-byte types).
PT2RUN_API DLManagedTensor* to_dlpack(const Tensor& tensor);

// Takes ownership of a DLPack tensor (for instance from numpy's __dlpack__()): the returned
// Tensor views its memory without a copy, and `managed->deleter` runs when the last view of
// that storage goes (also if this call throws). Throws Error(InvalidArgument) for a null
// tensor, lanes != 1, or a byte offset or strides that do not fit the element size;
// Error(NotImplemented) for a dtype pt2run lacks; Error(DeviceMismatch) for devices other
// than CPU and CUDA.
PT2RUN_API Tensor from_dlpack(DLManagedTensor* managed);

}  // namespace pt2run
