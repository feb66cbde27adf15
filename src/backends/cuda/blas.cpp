#include "backends/cuda/blas.h"

#include <cublas_v2.h>

#include <mutex>
#include <unordered_map>
#include <vector>

#include "backends/cuda/cuda_check.h"
#include "backends/cuda/dynamic_library.h"
#include "backends/cuda/int4_kernels.h"
#include "backends/cuda/streams.h"
#include "core/layout.h"

namespace pt2run::cuda {
namespace {

// cuBLAS is loaded at run time, so a build with CUDA needs only its headers and a deployment
// needs it only when a model runs a GEMM on the GPU.
struct Cublas {
  decltype(&cublasCreate_v2) create = nullptr;
  decltype(&cublasDestroy_v2) destroy = nullptr;
  decltype(&cublasSetStream_v2) set_stream = nullptr;
  decltype(&cublasSetMathMode) set_math_mode = nullptr;
  decltype(&cublasSetWorkspace_v2) set_workspace = nullptr;
  // Spelled out: C++ sees more than one cublasGemmStridedBatchedEx (an overload for the legacy
  // cublasComputeType_t spelling), so decltype cannot pick the C entry point.
  cublasStatus_t (*gemm_strided_batched)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int,
                                         const void*, const void*, cudaDataType, int, long long,
                                         const void*, cudaDataType, int, long long, const void*, void*,
                                         cudaDataType, int, long long, int, cublasComputeType_t,
                                         cublasGemmAlgo_t) = nullptr;

  static const Cublas& get() {
    static Cublas api = load();
    return api;
  }

 private:
  static Cublas load() {
    constexpr const char* soname = "libcublas.so.13";
    void* lib = open_library(soname, "runs matrix products on the GPU",
                             "install CUDA 13's cuBLAS (e.g. pip install nvidia-cublas) and put its "
                             "lib folder on LD_LIBRARY_PATH");
    Cublas api;
    auto resolve = [&](auto& fn, const char* name) { resolve_symbol(lib, soname, fn, name); };
    resolve(api.create, "cublasCreate_v2");
    resolve(api.destroy, "cublasDestroy_v2");
    resolve(api.set_stream, "cublasSetStream_v2");
    resolve(api.set_math_mode, "cublasSetMathMode");
    resolve(api.set_workspace, "cublasSetWorkspace_v2");
    resolve(api.gemm_strided_batched, "cublasGemmStridedBatchedEx");
    return api;
  }
};

void check(cublasStatus_t status, const char* what) {
  PT2RUN_CHECK(status == CUBLAS_STATUS_SUCCESS, Internal, what, " failed with cuBLAS status ",
               static_cast<int>(status));
}

// cuBLAS's workspace is ours, allocated with the handle: by default cuBLAS allocates it on
// first use in a stream, which a CUDA-graph capture cannot contain (torch does the same).
constexpr std::size_t kWorkspaceBytes = 32u << 20;

struct CublasHandle {
  cublasHandle_t handle = nullptr;
  void* workspace = nullptr;
};

CublasHandle handle_for(int32_t device) {
  auto destroy = [](CublasHandle h) {
    (void)Cublas::get().destroy(h.handle);
    (void)cudaFree(h.workspace);
    return 0;
  };
  thread_local ThreadHandles<CublasHandle, decltype(destroy)> handles(destroy);
  return handles.get(device, [] {
    CublasHandle h;
    check(Cublas::get().create(&h.handle), "cublasCreate");
    // Pedantic float32: no TF32 (torch.backends.cuda.matmul.allow_tf32 is off by default).
    check(Cublas::get().set_math_mode(h.handle, CUBLAS_PEDANTIC_MATH), "cublasSetMathMode");
    PT2RUN_CUDA_CHECK(cudaMalloc(&h.workspace, kWorkspaceBytes));
    return h;
  });
}

cudaDataType_t data_type(DType dtype) {
  switch (dtype) {
    case DType::Float32: return CUDA_R_32F;
    case DType::Float16: return CUDA_R_16F;
    case DType::BFloat16: return CUDA_R_16BF;
    case DType::Float64: return CUDA_R_64F;
    default:
      detail::fail(ErrorCode::NotImplemented, "GEMM on CUDA for ", dtype_name(dtype),
                   " (float32, float64, float16 and bfloat16 are supported)");
  }
}

// A matrix operand as cuBLAS (column-major) sees it: the row-major [rows, cols] matrix X is
// the column-major matrix X^T with leading dimension X.stride(-2); a transposed view
// (stride(-2) == 1) is column-major X with leading dimension X.stride(-1).
struct Operand {
  Tensor tensor;
  bool transposed = false;  // X is stored column-major
  int64_t ld = 0;
  int64_t batch_stride = 0;
};

Operand operand(const Tensor& x) {
  const int64_t rows = x.size(-2), cols = x.size(-1);
  const int64_t rs = x.stride(-2), cs = x.stride(-1);
  Operand o;
  o.batch_stride = x.dim() == 3 ? x.stride(0) : 0;
  if ((cs == 1 || cols == 1) && rs >= std::max<int64_t>(cols, 1)) {
    o.tensor = x;
    o.ld = std::max<int64_t>(rs, 1);
  } else if ((rs == 1 || rows == 1) && cs >= std::max<int64_t>(rows, 1)) {
    o.tensor = x;
    o.transposed = true;
    o.ld = std::max<int64_t>(cs, 1);
  } else {
    o.tensor = x.clone();  // contiguous
    o.ld = std::max<int64_t>(cols, 1);
    o.batch_stride = x.dim() == 3 ? rows * cols : 0;
  }
  return o;
}

using detail::sizes_of;

}  // namespace

void gemm(const Tensor& out, const Tensor* bias, const Tensor& a, const Tensor& b, double beta,
          double alpha) {
  const bool batched = a.dim() == 3;
  PT2RUN_CHECK((a.dim() == 2 || batched) && b.dim() == a.dim() && out.dim() == a.dim(), ShapeMismatch,
               "CUDA GEMM needs matrices or batches of them, got ", a.describe(), " @ ", b.describe(),
               " -> ", out.describe());
  const int64_t batch = batched ? a.size(0) : 1;
  const int64_t m = a.size(-2), k = a.size(-1), n = b.size(-1);
  PT2RUN_CHECK(b.size(-2) == k && out.size(-2) == m && out.size(-1) == n &&
                   (!batched || (b.size(0) == batch && out.size(0) == batch)),
               ShapeMismatch, "CUDA GEMM shapes do not fit: ", a.describe(), " @ ", b.describe(), " -> ",
               out.describe());
  const bool widening = out.dtype() == DType::Float32 && (a.dtype() == DType::Float16 || a.dtype() == DType::BFloat16);
  PT2RUN_CHECK(a.dtype() == b.dtype() && (out.dtype() == a.dtype() || widening), DTypeMismatch,
               "CUDA GEMM needs one dtype, got ", a.describe(), ", ", b.describe(), ", ", out.describe());
  PT2RUN_CHECK(bias == nullptr || bias->dtype() == out.dtype(), DTypeMismatch, "CUDA GEMM bias ", bias->describe(),
               " does not match the output ", out.describe());
  PT2RUN_CHECK(!a.device().is_cpu() && !b.device().is_cpu() && !out.device().is_cpu(), DeviceMismatch,
               "CUDA GEMM operands must all be on the GPU: ", a.describe(), ", ", b.describe(), ", ",
               out.describe());
  const int32_t device = out.device().index;
  DeviceGuard guard(device);
  // The result goes to a row-major buffer; out itself when it is one.
  // Batches may follow each other or interleave row by row (attention's [B, L, H, E] outputs
  // seen per head), as long as no two elements share memory.
  const bool direct = out.stride(-1) == 1 && out.stride(-2) >= std::max<int64_t>(n, 1) &&
                      (!batched || batch == 1 || out.stride(0) >= m * out.stride(-2) ||
                       (out.stride(0) >= n && out.stride(-2) >= batch * out.stride(0)));
  Tensor target = direct ? out : Tensor::empty(sizes_of(out), out.dtype(), out.device());
  // float64 scales and computes in double; every other dtype in float.
  const bool f64 = a.dtype() == DType::Float64;
  float beta_f = 0.0f;
  if (bias != nullptr && beta != 0.0) {
    // out = bias broadcast, then cuBLAS scales it by beta.
    std::vector<int64_t> strides(static_cast<std::size_t>(target.dim()), 0);
    for (int64_t d = 0; d < bias->dim(); ++d) {
      const auto od = static_cast<std::size_t>(d + target.dim() - bias->dim());
      PT2RUN_CHECK(bias->size(d) == 1 || bias->size(d) == target.size(static_cast<int64_t>(od)), ShapeMismatch,
                   "bias ", bias->describe(), " does not broadcast to ", target.describe());
      strides[od] = bias->size(d) == 1 ? 0 : bias->stride(d);
    }
    target.copy_(bias->as_strided(sizes_of(target), strides, bias->storage_offset()));
    beta_f = static_cast<float>(beta);
  }
  if (m == 0 || n == 0) return;
  if (k == 0 && beta_f == 0.0f) {
    target.copy_(Tensor::zeros(sizes_of(target), target.dtype(), target.device()));
  } else {
    const Operand oa = operand(a), ob = operand(b);
    const CublasHandle owned = handle_for(device);
    cublasHandle_t handle = owned.handle;
    const Cublas& api = Cublas::get();
    // Handles are per thread and only set here: skip the two calls when the stream is the one
    // this handle last ran on (most runs of a model issue every GEMM on one stream).
    thread_local std::unordered_map<cublasHandle_t, cudaStream_t> handle_streams;
    const cudaStream_t stream = current_stream(device);
    auto [last, first_use] = handle_streams.try_emplace(handle, stream);
    if (first_use || last->second != stream) {
      check(api.set_stream(handle, stream), "cublasSetStream");
      // Setting the stream resets the workspace to cuBLAS's own.
      check(api.set_workspace(handle, owned.workspace, kWorkspaceBytes), "cublasSetWorkspace");
      last->second = stream;
    }
    const float alpha_f = static_cast<float>(alpha);
    const double alpha_d = alpha, beta_d = bias != nullptr ? beta : 0.0;
    const void* alpha_p = f64 ? static_cast<const void*>(&alpha_d) : &alpha_f;
    const void* beta_p = f64 ? static_cast<const void*>(&beta_d) : &beta_f;
    const cudaDataType_t type = data_type(a.dtype()), out_type = data_type(out.dtype());
    // Row-major C = A B  <=>  column-major C^T = B^T A^T.
    check(api.gemm_strided_batched(
              handle, ob.transposed ? CUBLAS_OP_T : CUBLAS_OP_N, oa.transposed ? CUBLAS_OP_T : CUBLAS_OP_N,
              static_cast<int>(n), static_cast<int>(m), static_cast<int>(k), alpha_p,
              ob.tensor.data_ptr(), type, static_cast<int>(ob.ld), ob.batch_stride,
              oa.tensor.data_ptr(), type, static_cast<int>(oa.ld), oa.batch_stride, beta_p,
              target.data_ptr(), out_type, static_cast<int>(target.stride(-2)), batched ? target.stride(0) : 0,
              static_cast<int>(batch), f64 ? CUBLAS_COMPUTE_64F : CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
          "cublasGemmStridedBatchedEx");
  }
  if (!direct) {
    Tensor o = out;
    o.copy_(target);
  }
}

Tensor weight_int4pack_mm(const Tensor& a, const Tensor& packed, int64_t group, const Tensor& scales_and_zeros) {
  PT2RUN_CHECK(a.dim() == 2 && a.dtype() == DType::BFloat16 && a.is_contiguous(), DTypeMismatch,
               "_weight_int4pack_mm on CUDA needs a contiguous 2-d bfloat16 input, got ", a.describe());
  PT2RUN_CHECK(packed.dim() == 4 && packed.dtype() == DType::Int32 && packed.is_contiguous() && packed.size(2) == 32,
               DTypeMismatch,
               "_weight_int4pack_mm on CUDA needs the weight CUDA's _convert_weight_to_int4pack makes (int32 "
               "[n/8, k/(t*16), 32, t/2]), got ",
               packed.describe());
  const int64_t inner_k_tiles = packed.size(3) * 2;
  const int64_t n = packed.size(0) * 8, k = a.size(1);
  PT2RUN_CHECK(inner_k_tiles == 2 || inner_k_tiles == 4 || inner_k_tiles == 8, InvalidArgument,
               "_weight_int4pack_mm: the weight's inner k-tiles must be 2, 4 or 8, got ", inner_k_tiles);
  PT2RUN_CHECK(k % (inner_k_tiles * 16) == 0 && packed.size(1) == k / (inner_k_tiles * 16), ShapeMismatch,
               "_weight_int4pack_mm: input ", a.describe(), " does not fit the packed weight ", packed.describe());
  PT2RUN_CHECK(group == 32 || group == 64 || group == 128 || group == 256, InvalidArgument,
               "_weight_int4pack_mm: qGroupSize must be 32, 64, 128 or 256, got ", group);
  PT2RUN_CHECK(k % group == 0 && scales_and_zeros.dim() == 3 && scales_and_zeros.size(0) == k / group &&
                   scales_and_zeros.size(1) == n && scales_and_zeros.size(2) == 2 &&
                   scales_and_zeros.dtype() == DType::BFloat16,
               ShapeMismatch, "_weight_int4pack_mm: qScaleAndZeros must be bfloat16 [", k / group, ", ", n,
               ", 2], got ", scales_and_zeros.describe());
  PT2RUN_CHECK(!a.device().is_cpu() && a.device() == packed.device() && a.device() == scales_and_zeros.device(),
               DeviceMismatch, "_weight_int4pack_mm: operands must be on one GPU: ", a.describe(), ", ",
               packed.describe(), ", ", scales_and_zeros.describe());
  DeviceGuard guard(a.device().index);
  const Tensor qsz = scales_and_zeros.contiguous();
  Tensor w = Tensor::empty({n, k}, DType::BFloat16, a.device());
  launch_dequantize_int4_tc(packed.data<int32_t>(), qsz.data_ptr(), w.data_ptr(), n, k,
                            static_cast<int>(inner_k_tiles), static_cast<int>(group), current_stream(a.device().index));
  Tensor out = Tensor::empty({a.size(0), n}, DType::BFloat16, a.device());
  gemm(out, nullptr, a, w.as_strided({k, n}, {1, k}, 0), 0.0, 1.0);
  return out;
}

}  // namespace pt2run::cuda
