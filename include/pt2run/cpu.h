#pragma once

#include <cstddef>
#include <string>

#include "pt2run/export.h"

namespace pt2run {

// What runs the CPU backend's heavy kernels on this machine, as its libraries chose them for
// the CPU at hand, e.g. gemm = "onednn 3.2.0 avx512_core_amx". ONEDNN_MAX_CPU_ISA, read by
// oneDNN at its first use, caps the choice. Thread safety: may be called from any thread.
struct CpuKernels {
  std::string gemm;            // float32 and bfloat16 GEMMs (mm, addmm, bmm, baddbmm, linear)
  std::string convolution;     // convolutions and transposed convolutions
  std::string float64_gemm;    // double-precision GEMMs and LAPACK
};
PT2RUN_API CpuKernels cpu_kernels();

// Model constants the CPU kernels keep in their own layout (oneDNN's blocked weights),
// packed once per constant and dropped when the constants change or the model unloads: the
// memory they cost on top of the model's own weights. Thread safety: any thread.
struct PackedWeightStats {
  std::size_t bytes = 0;
  std::size_t copies = 0;
};
PT2RUN_API PackedWeightStats packed_weight_stats();

// Whether the CPU kernels may keep packed copies of model constants (default: yes). Off, no
// copy is made and every run reads the weights in the model's own layout (dnnl_sgemm, per-run
// convolution reorders): less memory, slower runs. Applies to constants declared from then on
// (a load, an update, a fold or a swap); a model keeps the copies it has until then. Thread
// safety: any thread.
PT2RUN_API void set_packed_weights(bool enabled);

}  // namespace pt2run
