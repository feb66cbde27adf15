#include "backends/cpu/blas.h"

#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>

#include <atomic>
#include <memory>
#include <vector>

#include "backends/cpu/onednn_plans.h"
#include "core/check.h"

namespace pt2run::cpu::blas {
namespace {

void check(dnnl_status_t status, const char* what) {
  PT2RUN_CHECK(status == dnnl_success, Internal, "oneDNN's ", what, " refused the call (status ",
               static_cast<int>(status), ")");
}

const char* isa_name(dnnl_cpu_isa_t isa) {
  switch (isa) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx2_vnni_2: return "avx2_vnni_2";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_fp16: return "avx512_core_fp16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    case dnnl_cpu_isa_avx512_core_amx_fp16: return "avx512_core_amx_fp16";
    default: return "generic";
  }
}

}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
          const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
          int64_t ldc) {
  check(dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', m, n, k, alpha, a, lda, b, ldb, beta,
                   c, ldc),
        "sgemm");
}

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
          const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c,
          int64_t ldc) {
  cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), alpha, a,
              static_cast<blasint>(lda), b, static_cast<blasint>(ldb), beta, c,
              static_cast<blasint>(ldc));
}

bool gemm_bf16(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
               const uint16_t* a, int64_t lda, const uint16_t* b, int64_t ldb, float beta,
               float* c, int64_t ldc) {
  using dnnl::memory;
  // oneDNN 3 has no public bf16 GEMM call: a matmul primitive (bf16 x bf16 -> f32) planned
  // once per signature. alpha and beta are applied around it (matmul computes a @ b).
  const memory::dims a_strides = trans_a ? memory::dims{1, lda} : memory::dims{lda, 1};
  const memory::dims b_strides = trans_b ? memory::dims{1, ldb} : memory::dims{ldb, 1};
  const memory::desc a_md({m, k}, memory::data_type::bf16, a_strides);
  const memory::desc b_md({k, n}, memory::data_type::bf16, b_strides);
  const bool in_place = alpha == 1.f && beta == 0.f;
  const memory::desc c_md({m, n}, memory::data_type::f32, memory::dims{in_place ? ldc : n, 1});
  std::vector<int64_t> key{/*kind: bf16 gemm*/ 2, m, n, k, a_strides[0], a_strides[1], b_strides[0], b_strides[1],
                           c_md.get_strides()[0]};
  // CPUs without bf16 instructions (AVX2) have no such kernel: asked once, refused after.
  static std::atomic<bool> unavailable{false};
  if (unavailable.load(std::memory_order_relaxed)) return false;
  std::shared_ptr<const onednn::Plan> plan;
  try {
    plan = onednn::plan(key, [&] {
      dnnl::primitive_attr attr;
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      dnnl::matmul::primitive_desc pd(onednn::engine(), a_md, b_md, c_md, attr);
      return onednn::Plan{dnnl::matmul(pd), a_md, b_md, c_md, pd.scratchpad_desc()};
    });
  } catch (const dnnl::error& e) {
    if (e.status != dnnl_unimplemented) throw;
    unavailable.store(true, std::memory_order_relaxed);
    return false;
  }
  std::vector<float> product(in_place ? 0 : static_cast<std::size_t>(m * n));
  float* dst = in_place ? c : product.data();
  const auto& engine = onednn::engine();
  dnnl::stream stream(engine);
  plan->primitive.execute(stream, {{DNNL_ARG_SRC, memory(a_md, engine, const_cast<uint16_t*>(a))},
                                   {DNNL_ARG_WEIGHTS, memory(b_md, engine, const_cast<uint16_t*>(b))},
                                   {DNNL_ARG_DST, memory(c_md, engine, dst)},
                                   {DNNL_ARG_SCRATCHPAD, onednn::scratchpad(*plan)}});
  stream.wait();
  if (in_place) return true;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      float& out = c[i * ldc + j];
      out = alpha * product[static_cast<std::size_t>(i * n + j)] + (beta == 0.f ? 0.f : beta * out);
    }
  return true;
}

std::string kernel_name() {
  const dnnl_version_t* v = dnnl_version();
  return "onednn " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
         std::to_string(v->patch) + " " + isa_name(dnnl_get_effective_cpu_isa());
}

}  // namespace pt2run::cpu::blas
