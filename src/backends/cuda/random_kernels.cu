#include "backends/cuda/random_kernels.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <curand_kernel.h>

#include <cfloat>
#include <type_traits>

#include "backends/cuda/cuda_check.h"

namespace pt2run::cuda {
namespace {

// The output element types, converted as c10's Half / BFloat16 / integer casts do.
template <typename T>
struct Store {
  template <typename V>
  __device__ static T from(V v) { return static_cast<T>(v); }
};
template <>
struct Store<__half> {
  template <typename V>
  __device__ static __half from(V v) { return __float2half_rn(static_cast<float>(v)); }
};
template <>
struct Store<__nv_bfloat16> {
  template <typename V>
  __device__ static __nv_bfloat16 from(V v) { return __float2bfloat16_rn(static_cast<float>(v)); }
};

template <typename T>
__device__ float to_float(T v) { return static_cast<float>(v); }
template <>
__device__ float to_float(__half v) { return __half2float(v); }
template <>
__device__ float to_float(__nv_bfloat16 v) { return __bfloat162float(v); }

// What one curand call yields.
struct Uniform4 { __device__ float4 operator()(curandStatePhilox4_32_10_t* s) const { return curand_uniform4(s); } };
struct Uniform2 { __device__ double2 operator()(curandStatePhilox4_32_10_t* s) const { return curand_uniform2_double(s); } };
struct Normal4 { __device__ float4 operator()(curandStatePhilox4_32_10_t* s) const { return curand_normal4(s); } };
struct Normal2 { __device__ double2 operator()(curandStatePhilox4_32_10_t* s) const { return curand_normal2_double(s); } };
struct Bits32 { __device__ uint4 operator()(curandStatePhilox4_32_10_t* s) const { return curand4(s); } };
struct Bits64 {
  __device__ ulonglong2 operator()(curandStatePhilox4_32_10_t* s) const {
    const uint4 r = curand4(s);
    ulonglong2 out;
    out.x = (static_cast<uint64_t>(r.x) << 32) | r.y;
    out.y = (static_cast<uint64_t>(r.z) << 32) | r.w;
    return out;
  }
};

// torch's transforms. Acc is the type the draw is taken in (float for 16-bit outputs).
template <typename T, typename Acc>
struct UniformOf {
  T from, to;
  Acc range;
  __device__ T operator()(Acc u) const {
    const T value = Store<T>::from(u * range + static_cast<Acc>(to_float(from)));
    return to_float(value) == to_float(to) ? from : value;  // (0, 1] folded to [0, 1)
  }
};
template <>
struct UniformOf<double, double> {
  double from, to, range;
  __device__ double operator()(double u) const {
    const double value = u * range + from;
    return value == to ? from : value;
  }
};

template <typename T, typename Acc>
struct NormalOf {
  Acc mean, std;
  __device__ T operator()(Acc z) const { return Store<T>::from(z * std + mean); }
};

template <typename T, typename V>
struct IntRangeOf {
  uint64_t range;
  int64_t base;
  __device__ T operator()(V v) const { return Store<T>::from(static_cast<int64_t>((v % range) + base)); }
};

template <typename T, typename Acc>
struct BernoulliOf {
  Acc p;
  __device__ T operator()(Acc u) const { return Store<T>::from(u < p); }
};

// torch holds log(u) at -eps / 2 near 1, eps being the draw type's (not the output's).
template <typename T, typename Acc>
struct ExponentialOf {
  Acc lambda;
  __device__ T operator()(Acc u) const {
    constexpr Acc eps = std::is_same_v<Acc, double> ? DBL_EPSILON : FLT_EPSILON;
    Acc log_u;
    if constexpr (std::is_same_v<Acc, double>) log_u = ::log(u);
    else log_u = logf(u);
    const Acc log = u >= static_cast<Acc>(1.) - eps / 2 ? -eps / 2 : log_u;
    return Store<T>::from(static_cast<Acc>(-1.0) / lambda * log);
  }
};

// torch's distribution_elementwise_grid_stride_kernel.
template <typename T, typename Acc, int Unroll, typename Dist, typename Transform>
__global__ void __launch_bounds__(kRandomBlock, 4)
    grid_stride(int64_t numel, uint64_t seed, uint64_t offset, T* out, Dist dist, Transform transform) {
  const int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  curandStatePhilox4_32_10_t state;
  curand_init(seed, idx, offset, &state);
  const int64_t step = static_cast<int64_t>(blockDim.x) * gridDim.x;
  const int64_t rounded = ((numel - 1) / (step * Unroll) + 1) * step * Unroll;
  for (int64_t linear = idx; linear < rounded; linear += step * Unroll) {
    const auto r = dist(&state);
#pragma unroll
    for (int ii = 0; ii < Unroll; ii++) {
      const int64_t li = linear + step * ii;
      if (li < numel) out[li] = transform(static_cast<Acc>((&r.x)[ii]));
    }
    __syncthreads();
  }
}

template <typename T, typename Acc, int Unroll, typename Dist, typename Transform>
void run(const RandomLaunch& l, Dist dist, Transform transform, cudaStream_t stream) {
  grid_stride<T, Acc, Unroll><<<l.grid, kRandomBlock, 0, stream>>>(l.numel, l.seed, l.offset, static_cast<T*>(l.out),
                                                                    dist, transform);
}

// Host-side conversions to the output type (c10's casts: double to float, then to half).
template <typename T>
T host_cast(double v) {
  if constexpr (std::is_same_v<T, __half>) return __float2half_rn(static_cast<float>(v));
  else if constexpr (std::is_same_v<T, __nv_bfloat16>) return __float2bfloat16_rn(static_cast<float>(v));
  else return static_cast<T>(v);
}
template <typename T>
double host_value(T v) {
  if constexpr (std::is_same_v<T, __half>) return __half2float(v);
  else if constexpr (std::is_same_v<T, __nv_bfloat16>) return __bfloat162float(v);
  else return static_cast<double>(v);
}

template <typename T>
constexpr bool is_float_type =
    std::is_floating_point_v<T> || std::is_same_v<T, __half> || std::is_same_v<T, __nv_bfloat16>;

template <typename T>
void dispatch(const RandomLaunch& l, cudaStream_t stream) {
  constexpr bool f64 = std::is_same_v<T, double>;
  using Acc = std::conditional_t<f64, double, float>;
  switch (l.draw) {
    case Draw::uniform:
      if constexpr (is_float_type<T>) {
        const T from = host_cast<T>(l.a), to = host_cast<T>(l.b);
        // (to - from) is computed in the output type, as torch's scalar_t subtraction.
        const T diff = host_cast<T>(host_value(to) - host_value(from));
        if constexpr (f64) {
          run<T, double, 2>(l, Uniform2{}, UniformOf<double, double>{from, to, diff}, stream);
        } else {
          run<T, float, 4>(l, Uniform4{}, UniformOf<T, float>{from, to, static_cast<float>(host_value(diff))}, stream);
        }
      }
      break;
    case Draw::normal:
      if constexpr (is_float_type<T>) {
        const NormalOf<T, Acc> transform{static_cast<Acc>(l.a), static_cast<Acc>(l.b)};
        if constexpr (f64) run<T, double, 2>(l, Normal2{}, transform, stream);
        else run<T, float, 4>(l, Normal4{}, transform, stream);
      }
      break;
    case Draw::int_range:
      if (l.range >= (1ULL << 28)) {
        run<T, uint64_t, 2>(l, Bits64{}, IntRangeOf<T, uint64_t>{l.range, l.base}, stream);
      } else {
        run<T, uint32_t, 4>(l, Bits32{}, IntRangeOf<T, uint32_t>{l.range, l.base}, stream);
      }
      break;
    case Draw::bernoulli: {
      const BernoulliOf<T, Acc> transform{static_cast<Acc>(l.a)};
      if constexpr (f64) run<T, double, 2>(l, Uniform2{}, transform, stream);
      else run<T, float, 4>(l, Uniform4{}, transform, stream);
      break;
    }
    case Draw::exponential:
      if constexpr (is_float_type<T>) {
        const ExponentialOf<T, Acc> transform{static_cast<Acc>(l.a)};
        if constexpr (f64) run<T, double, 2>(l, Uniform2{}, transform, stream);
        else run<T, float, 4>(l, Uniform4{}, transform, stream);
      }
      break;
  }
}

}  // namespace

int random_unroll(Draw draw, RandomOut out_type, uint64_t range) {
  if (draw == Draw::int_range) return range >= (1ULL << 28) ? 2 : 4;
  return out_type == RandomOut::f64 ? 2 : 4;
}

void launch_random(const RandomLaunch& l, cudaStream_t stream) {
  if (l.numel <= 0) return;
  (void)cudaGetLastError();  // a stale error of another library's call is not this launch's
  switch (l.out_type) {
    case RandomOut::f32: dispatch<float>(l, stream); break;
    case RandomOut::f64: dispatch<double>(l, stream); break;
    case RandomOut::f16: dispatch<__half>(l, stream); break;
    case RandomOut::bf16: dispatch<__nv_bfloat16>(l, stream); break;
    case RandomOut::i64: dispatch<int64_t>(l, stream); break;
    case RandomOut::i32: dispatch<int32_t>(l, stream); break;
    case RandomOut::i16: dispatch<int16_t>(l, stream); break;
    case RandomOut::i8: dispatch<int8_t>(l, stream); break;
    case RandomOut::u8: dispatch<uint8_t>(l, stream); break;
    case RandomOut::b8: dispatch<bool>(l, stream); break;
  }
  PT2RUN_CUDA_CHECK(cudaGetLastError());
}

}  // namespace pt2run::cuda
