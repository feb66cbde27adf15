#include "backends/cpu/blas.h"

#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "backends/cpu/onednn_plans.h"
#include "core/check.h"
#include "core/constant_weights.h"

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

// One matmul on oneDNN: c[m, n] (float32, leading dimension ldc) = a @ b, or += with
// `accumulate`. With `pack_b` the plan takes B in the layout the kernel wants and B, a model
// constant, is packed into it once (constant_weights.h) instead of read strided on every run.
struct Matmul {
  dnnl::memory::data_type type;
  bool trans_a, trans_b;
  int64_t m, n, k;
  const void* a;
  int64_t lda;
  const void* b;
  int64_t ldb;
  float* c;
  int64_t ldc;
  bool accumulate;
};

dnnl::memory::dims strides_of(bool transposed, int64_t ld) {
  return transposed ? dnnl::memory::dims{1, ld} : dnnl::memory::dims{ld, 1};
}

std::size_t element_size(dnnl::memory::data_type type) {
  return type == dnnl::memory::data_type::f32 ? 4 : 2;
}

// The bytes B's view spans (what must lie in one constant for its packed copy to be right).
std::size_t b_span(const Matmul& mm) {
  const auto s = strides_of(mm.trans_b, mm.ldb);
  return static_cast<std::size_t>((mm.k - 1) * s[0] + (mm.n - 1) * s[1] + 1) * element_size(mm.type);
}

// Everything a packed layout depends on, so two plans that chose the same layout share a copy.
std::string layout_key(const Matmul& mm, const dnnl::memory::desc& fmt) {
  std::vector<int64_t> key{static_cast<int64_t>(mm.type), mm.trans_b, mm.ldb};
  for (const auto& dims : {fmt.get_padded_dims(), fmt.get_strides(), fmt.get_inner_blks(), fmt.get_inner_idxs()})
    onednn::append_key(key, dims);
  return std::string(reinterpret_cast<const char*>(key.data()), key.size() * sizeof(int64_t));
}

dnnl::memory::desc b_desc(const Matmul& mm) {
  return dnnl::memory::desc({mm.k, mm.n}, mm.type, strides_of(mm.trans_b, mm.ldb));
}

// Throws dnnl::error (dnnl_unimplemented where the CPU has no kernel for the type). The
// memory descriptors are made only with a new plan: a cached one carries them.
std::shared_ptr<const onednn::Plan> matmul_plan(const Matmul& mm, bool pack_b) {
  std::vector<int64_t> key{/*kind: matmul*/ 2, static_cast<int64_t>(mm.type), pack_b, mm.accumulate,
                           mm.m, mm.n, mm.k, mm.trans_a, mm.lda, mm.trans_b, mm.ldb, mm.ldc};
  return onednn::plan(key, [&] {
    using dnnl::memory;
    const memory::desc a_md({mm.m, mm.k}, mm.type, strides_of(mm.trans_a, mm.lda));
    const memory::desc b_user = b_desc(mm);
    const memory::desc c_md({mm.m, mm.n}, memory::data_type::f32, memory::dims{mm.ldc, 1});
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    if (mm.accumulate) {
      dnnl::post_ops ops;
      ops.append_sum(1.f);
      attr.set_post_ops(ops);
    }
    const memory::desc b_md = pack_b ? memory::desc({mm.k, mm.n}, mm.type, memory::format_tag::any) : b_user;
    dnnl::matmul::primitive_desc pd(onednn::engine(), a_md, b_md, c_md, attr);
    onednn::Plan plan{dnnl::matmul(pd), a_md, pd.weights_desc(), c_md, pd.scratchpad_desc()};
    plan.user = {{DNNL_ARG_SRC, a_md}, {DNNL_ARG_WEIGHTS, plan.wei_fmt}, {DNNL_ARG_DST, c_md}};
    plan.reference = std::string(pd.impl_info_str()).starts_with("ref");
    plan.wei_layout = layout_key(mm, plan.wei_fmt);
    if (plan.wei_fmt != b_user)
      plan.to_wei = dnnl::reorder(dnnl::reorder::primitive_desc(onednn::engine(), b_user, onednn::engine(), plan.wei_fmt));
    return plan;
  });
}

// False, computing nothing, where packing B would leave oneDNN only its reference kernel.
bool run_matmul(const Matmul& mm, bool pack_b) {
  using dnnl::memory;
  const auto plan = matmul_plan(mm, pack_b);
  if (pack_b && plan->reference) return false;
  const auto& engine = onednn::engine();
  onednn::Execution exec(*plan);
  std::shared_ptr<void> packed;
  if (!plan->to_wei) {
    exec.pass(DNNL_ARG_WEIGHTS, mm.b);
  } else {
    auto pack = [&] {
      dnnl::stream& stream = onednn::stream();
      auto copy = std::make_shared<memory>(plan->wei_fmt, engine);
      plan->to_wei.execute(stream, {{DNNL_ARG_FROM, memory(b_desc(mm), engine, const_cast<void*>(mm.b))},
                                    {DNNL_ARG_TO, *copy}});
      stream.wait();
      return detail::Packed{copy, plan->wei_fmt.get_size()};
    };
    packed = detail::packed_constant(mm.b, b_span(mm), plan->wei_layout, pack);
    // Redeclared between the caller's check and here: packed for this call only.
    if (!packed) packed = pack().value;
    exec.pass(DNNL_ARG_WEIGHTS, *std::static_pointer_cast<memory>(packed));
  }
  exec.pass(DNNL_ARG_SRC, mm.a);
  exec.pass(DNNL_ARG_DST, mm.c);
  exec.run();
  return true;
}

// Whether B is a model constant the packed matmul can take: a @ b or c += a @ b (what linear
// layers compile to), A not transposed. dnnl_sgemm re-packs a large B on every call, which
// costs most where A has few rows; a matmul has ~1.5 us of fixed cost that sgemm does not.
// Measured (AMD EPYC AVX-512, one thread): 8 x 768 x 768 takes 58 us packed against 108 us in
// sgemm, 128 x 3072 x 768 8% less; 32 x 192 x 64 and smaller run as fast or faster in sgemm.
// On a Sapphire Rapids Xeon the 128-row encoder and decoder shapes take 0.86-0.97 of sgemm's
// time at one thread and 0.55-0.92 at 16.
bool packable(const Matmul& mm, float alpha, float beta) {
  constexpr int64_t kMinWeight = 1 << 16, kMinWork = 1 << 18;
  return alpha == 1.f && (beta == 0.f || beta == 1.f) && !mm.trans_a && mm.m > 0 &&
         mm.n * mm.k >= kMinWeight && mm.m * mm.n * mm.k >= kMinWork && detail::is_constant(mm.b, b_span(mm));
}

}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
          const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
          int64_t ldc) {
  const Matmul mm{dnnl::memory::data_type::f32, trans_a, trans_b, m, n, k, a, lda, b, ldb, c, ldc, beta != 0.f};
  try {
    if (packable(mm, alpha, beta) && run_matmul(mm, true)) return;
  } catch (const dnnl::error& e) {
    if (e.status != dnnl_unimplemented) throw;  // no packed kernel for this shape: sgemm takes it
  }
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
  // CPUs without bf16 instructions (AVX2) have no such kernel: asked once, refused after.
  static std::atomic<bool> unavailable{false};
  if (unavailable.load(std::memory_order_relaxed)) return false;
  // oneDNN 3 has no public bf16 GEMM call: a matmul (bf16 x bf16 -> f32); alpha and beta other
  // than the packed kernel's are applied around it.
  Matmul mm{dnnl::memory::data_type::bf16, trans_a, trans_b, m, n, k, a, lda, b, ldb, c, ldc, beta != 0.f};
  const bool pack = packable(mm, alpha, beta);
  const bool in_place = pack || (alpha == 1.f && beta == 0.f);
  std::vector<float> product(in_place ? 0 : static_cast<std::size_t>(m * n));
  if (!in_place) {
    mm.c = product.data();
    mm.ldc = n;
    mm.accumulate = false;
  }
  try {
    if (!run_matmul(mm, pack)) run_matmul(mm, false);
  } catch (const dnnl::error& e) {
    if (e.status != dnnl_unimplemented) throw;
    unavailable.store(true, std::memory_order_relaxed);
    return false;
  }
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
