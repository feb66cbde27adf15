// A fused attention kernel in the style of FlashAttention: each warp owns query rows, each
// block streams tiles of 32 keys through shared memory and keeps a running (online) softmax,
// so the [L, S] score matrix never reaches memory. Lane t scores key t of the tile; the
// output accumulates with lanes splitting the value dimension.

#include "backends/cuda/attention_kernel.h"


#include <cmath>

#include "backends/cuda/cuda_check.h"
#include "backends/cuda/float_conversions.cuh"

namespace pt2run::cuda {
namespace {

constexpr int kWarps = 4;
constexpr int kRowsPerWarp = 4;
constexpr int kRowsPerBlock = kWarps * kRowsPerWarp;
constexpr int kTileKeys = 32;
constexpr int kMaxPerLane = kMaxAttentionHeadDim / 32;

__device__ float warp_max(float x) {
  for (int offset = 16; offset > 0; offset /= 2) x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, offset));
  return x;
}
__device__ float warp_sum(float x) {
  for (int offset = 16; offset > 0; offset /= 2) x += __shfl_xor_sync(0xffffffffu, x, offset);
  return x;
}

template <class T>
__global__ void __launch_bounds__(kWarps * 32) attention(AttentionArgs a) {
  extern __shared__ float shared[];
  const int e_dim = static_cast<int>(a.head_dim), v_dim = static_cast<int>(a.value_dim);
  const int k_pitch = e_dim + 1;  // conflict-free column reads by lane
  float* q_tile = shared;                                   // [kRowsPerBlock][e_dim]
  float* k_tile = q_tile + kRowsPerBlock * e_dim;           // [kTileKeys][k_pitch]
  float* v_tile = k_tile + kTileKeys * k_pitch;             // [kTileKeys][v_dim]

  const int64_t b = blockIdx.z, h = blockIdx.y;
  const int64_t row0 = static_cast<int64_t>(blockIdx.x) * kRowsPerBlock;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const T* q = static_cast<const T*>(a.q) + b * a.q_strides[0] + h * a.q_strides[1];
  const T* k = static_cast<const T*>(a.k) + b * a.k_strides[0] + h * a.k_strides[1];
  const T* v = static_cast<const T*>(a.v) + b * a.v_strides[0] + h * a.v_strides[1];

  for (int idx = threadIdx.x; idx < kRowsPerBlock * e_dim; idx += blockDim.x) {
    const int r = idx / e_dim, e = idx % e_dim;
    const int64_t i = row0 + r;
    q_tile[idx] = i < a.q_len ? to_float(q[i * a.q_strides[2] + e * a.q_strides[3]]) : 0.0f;
  }

  float m[kRowsPerWarp], l[kRowsPerWarp], acc[kRowsPerWarp][kMaxPerLane];
  for (int r = 0; r < kRowsPerWarp; ++r) {
    m[r] = -INFINITY;
    l[r] = 0.0f;
    for (int d = 0; d < kMaxPerLane; ++d) acc[r][d] = 0.0f;
  }
  const int64_t last_row = min(row0 + kRowsPerBlock, a.q_len) - 1;
  const int64_t key_end = a.causal ? min(a.kv_len, last_row + 1) : a.kv_len;

  for (int64_t j0 = 0; j0 < key_end; j0 += kTileKeys) {
    __syncthreads();  // the previous tile is consumed (and q_tile written, the first time)
    for (int idx = threadIdx.x; idx < kTileKeys * e_dim; idx += blockDim.x) {
      const int t = idx / e_dim, e = idx % e_dim;
      const int64_t j = j0 + t;
      k_tile[t * k_pitch + e] = j < a.kv_len ? to_float(k[j * a.k_strides[2] + e * a.k_strides[3]]) : 0.0f;
    }
    for (int idx = threadIdx.x; idx < kTileKeys * v_dim; idx += blockDim.x) {
      const int t = idx / v_dim, e = idx % v_dim;
      const int64_t j = j0 + t;
      v_tile[idx] = j < a.kv_len ? to_float(v[j * a.v_strides[2] + e * a.v_strides[3]]) : 0.0f;
    }
    __syncthreads();
    const int64_t j = j0 + lane;
    for (int r = 0; r < kRowsPerWarp; ++r) {
      const int local = warp * kRowsPerWarp + r;
      const int64_t i = row0 + local;
      if (i >= a.q_len) break;  // warp-uniform
      const float* qr = q_tile + local * e_dim;
      const float* kr = k_tile + lane * k_pitch;
      float s = 0.0f;
      for (int e = 0; e < e_dim; ++e) s = fmaf(qr[e], kr[e], s);
      s *= a.scale;
      bool masked = j >= a.kv_len || (a.causal && j > i);
      if (!masked && a.bias) {
        const int64_t offset = b * a.bias_strides[0] + h * a.bias_strides[1] + i * a.bias_strides[2] +
                               j * a.bias_strides[3];
        if (a.bias_is_bool) {
          masked = !static_cast<const bool*>(a.bias)[offset];
        } else {
          s += to_float(static_cast<const T*>(a.bias)[offset]);
        }
      }
      if (masked) s = -INFINITY;
      const float tile_max = warp_max(s);
      const float m_new = fmaxf(m[r], tile_max);
      if (m_new == -INFINITY) continue;  // nothing attended yet
      const float p = s == -INFINITY ? 0.0f : __expf(s - m_new);
      const float correction = __expf(m[r] - m_new);  // 0 when m[r] was -inf
      l[r] = l[r] * correction + warp_sum(p);
      m[r] = m_new;
      for (int d = 0; d < kMaxPerLane; ++d) acc[r][d] *= correction;
      for (int t = 0; t < kTileKeys; ++t) {
        const float pt = __shfl_sync(0xffffffffu, p, t);
        const float* vr = v_tile + t * v_dim;
        for (int d = 0; d < kMaxPerLane; ++d) {
          const int e = lane + 32 * d;
          if (e < v_dim) acc[r][d] = fmaf(pt, vr[e], acc[r][d]);
        }
      }
    }
  }

  T* o = static_cast<T*>(a.o) + b * a.o_strides[0] + h * a.o_strides[1];
  for (int r = 0; r < kRowsPerWarp; ++r) {
    const int64_t i = row0 + warp * kRowsPerWarp + r;
    if (i >= a.q_len) break;
    const float inv = l[r] > 0.0f ? 1.0f / l[r] : 0.0f;
    for (int d = 0; d < kMaxPerLane; ++d) {
      const int e = lane + 32 * d;
      if (e < v_dim) o[i * a.o_strides[2] + e * a.o_strides[3]] = from_float<T>(acc[r][d] * inv);
    }
    if (a.lse && lane == 0)
      a.lse[b * a.lse_strides[0] + h * a.lse_strides[1] + i * a.lse_strides[2]] =
          l[r] > 0.0f ? m[r] + logf(l[r]) : INFINITY;
  }
}

template <class T>
void launch(const AttentionArgs& a, cudaStream_t stream) {
  const std::size_t bytes =
      sizeof(float) * static_cast<std::size_t>(kRowsPerBlock * a.head_dim + kTileKeys * (a.head_dim + 1) +
                                               kTileKeys * a.value_dim);
  if (bytes > 48 * 1024)
    PT2RUN_CUDA_CHECK(cudaFuncSetAttribute(attention<T>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                           static_cast<int>(bytes)));
  const dim3 grid(static_cast<unsigned>((a.q_len + kRowsPerBlock - 1) / kRowsPerBlock),
                  static_cast<unsigned>(a.heads), static_cast<unsigned>(a.batch));
  (void)cudaGetLastError();  // a stale error of another library's call is not this launch's
  attention<T><<<grid, kWarps * 32, bytes, stream>>>(a);
  PT2RUN_CUDA_CHECK(cudaGetLastError());
}

template <class T>
__device__ float masked_score(const SoftmaxArgs& a, const float* s, int64_t bias_row, int64_t i, int64_t j) {
  float x = s[j] * a.scale;
  if (a.causal && j > i) return -INFINITY;
  if (a.bias) {
    const int64_t offset = bias_row + j * a.bias_strides[3];
    if (a.bias_is_bool) {
      if (!static_cast<const bool*>(a.bias)[offset]) return -INFINITY;
    } else {
      x += to_float(static_cast<const T*>(a.bias)[offset]);
    }
  }
  return x;
}

// One warp per row, two passes over the scores: an online max and sum per lane merged across
// the warp, then the probabilities.
template <class T>
__global__ void __launch_bounds__(kWarps * 32) attention_softmax(SoftmaxArgs a) {
  const int64_t row = static_cast<int64_t>(blockIdx.x) * kWarps + threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  if (row >= a.heads * a.q_len) return;  // warp-uniform
  const int64_t h = row / a.q_len, i = row % a.q_len;
  const float* s = a.scores + row * a.kv_len;
  const int64_t bias_row = a.batch_index * a.bias_strides[0] + h * a.bias_strides[1] + i * a.bias_strides[2];
  float m = -INFINITY, l = 0.0f;
  for (int64_t j = lane; j < a.kv_len; j += 32) {
    const float x = masked_score<T>(a, s, bias_row, i, j);
    if (x == -INFINITY) continue;
    if (x > m) {
      l = l * __expf(m - x) + 1.0f;
      m = x;
    } else {
      l += __expf(x - m);
    }
  }
  const float row_max = warp_max(m);
  const float sum = warp_sum(m == -INFINITY ? 0.0f : l * __expf(m - row_max));
  const float inv = sum > 0.0f ? 1.0f / sum : 0.0f;
  T* p = static_cast<T*>(a.probs) + row * a.kv_len;
  for (int64_t j = lane; j < a.kv_len; j += 32) {
    const float x = masked_score<T>(a, s, bias_row, i, j);
    p[j] = from_float<T>(sum > 0.0f && x != -INFINITY ? __expf(x - row_max) * inv : 0.0f);
  }
  if (a.lse && lane == 0)
    a.lse[h * a.lse_strides[1] + i * a.lse_strides[2]] = sum > 0.0f ? row_max + logf(sum) : INFINITY;
}

template <class T>
void launch_softmax(const SoftmaxArgs& a, cudaStream_t stream) {
  const int64_t rows = a.heads * a.q_len;
  (void)cudaGetLastError();  // a stale error of another library's call is not this launch's
  attention_softmax<T><<<static_cast<unsigned>((rows + kWarps - 1) / kWarps), kWarps * 32, 0, stream>>>(a);
  PT2RUN_CUDA_CHECK(cudaGetLastError());
}

}  // namespace

void launch_attention_softmax(const SoftmaxArgs& args, cudaStream_t stream) {
  if (args.heads == 0 || args.q_len == 0 || args.kv_len == 0) return;
  switch (args.dtype) {
    case DType::Float32: launch_softmax<float>(args, stream); break;
    case DType::Float16: launch_softmax<__half>(args, stream); break;
    case DType::BFloat16: launch_softmax<__nv_bfloat16>(args, stream); break;
    default:
      ::pt2run::detail::fail(::pt2run::ErrorCode::NotImplemented, "attention in ", dtype_name(args.dtype),
                             " on CUDA (float32, float16 and bfloat16 are supported)");
  }
}

void launch_attention(const AttentionArgs& args, cudaStream_t stream) {
  if (args.batch == 0 || args.heads == 0 || args.q_len == 0 || args.value_dim == 0) return;
  switch (args.dtype) {
    case DType::Float32: launch<float>(args, stream); break;
    case DType::Float16: launch<__half>(args, stream); break;
    case DType::BFloat16: launch<__nv_bfloat16>(args, stream); break;
    default:
      ::pt2run::detail::fail(::pt2run::ErrorCode::NotImplemented, "attention in ", dtype_name(args.dtype),
                             " on CUDA (float32, float16 and bfloat16 are supported)");
  }
}

}  // namespace pt2run::cuda
