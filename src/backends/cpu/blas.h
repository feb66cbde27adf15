#pragma once

#include <cstdint>
#include <string>

namespace pt2run::cpu::blas {

// Row-major GEMM, C[m, n] = alpha * op(A) @ op(B) + beta * C, for every kernel of the CPU
// backend: the one place that picks the library. float32 runs on oneDNN's GEMM, whose kernels
// are generated for the CPU at hand (AVX2, AVX-512; OpenBLAS 0.3.21 runs SSE3 code on current
// Xeons); float64 on OpenBLAS (oneDNN has none). Both use the calling thread's OpenMP pool.
// Throws Error if the library refuses the call (it does not for valid arguments).
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
          const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
          int64_t ldc);
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
          const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c,
          int64_t ldc);
// bfloat16 operands (raw bits), float32 accumulation and result, as torch's CPU bf16 matmul:
// AMX or AVX512-BF16 where the CPU has them. Returns false, computing nothing, on a CPU
// without bf16 kernels (the caller converts to float32 then).
bool gemm_bf16(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
               const uint16_t* a, int64_t lda, const uint16_t* b, int64_t ldb, float beta,
               float* c, int64_t ldc);

// What runs the GEMMs and convolutions on this CPU, e.g. "onednn 3.2.0 avx512_core_amx"
// (what oneDNN's dispatcher chose, honouring ONEDNN_MAX_CPU_ISA).
std::string kernel_name();

}  // namespace pt2run::cpu::blas
