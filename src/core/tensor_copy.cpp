#include "core/tensor_copy.h"

#include <algorithm>
#include <complex>
#include <cstring>
#include <vector>

#include "core/check.h"
#include "core/device_backend.h"
#include "core/scalar_convert.h"

namespace pt2run::detail {
namespace {

// One element on its way between two dtypes. Integers keep full 64-bit precision when both
// sides are integral.
struct Value {
  double real = 0;
  double imag = 0;
  int64_t integer = 0;
  bool is_integer = false;
};

template <class T>
T read_as(const void* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

Value load(const std::byte* p, DType dtype) {
  Value v;
  auto set_int = [&](int64_t x) {
    v.integer = x;
    v.real = static_cast<double>(x);
    v.is_integer = true;
  };
  switch (dtype) {
    case DType::Bool: set_int(read_as<uint8_t>(p) != 0); break;
    case DType::UInt8: set_int(read_as<uint8_t>(p)); break;
    case DType::Int8: set_int(read_as<int8_t>(p)); break;
    case DType::Int16: set_int(read_as<int16_t>(p)); break;
    case DType::Int32: set_int(read_as<int32_t>(p)); break;
    case DType::Int64: set_int(read_as<int64_t>(p)); break;
    case DType::UInt16: set_int(read_as<uint16_t>(p)); break;
    case DType::UInt32: set_int(read_as<uint32_t>(p)); break;
    case DType::UInt64: {
      uint64_t x = read_as<uint64_t>(p);
      v.integer = static_cast<int64_t>(x);
      v.real = static_cast<double>(x);
      v.is_integer = true;
      break;
    }
    case DType::Float16: v.real = half_to_float(read_as<uint16_t>(p)); break;
    case DType::BFloat16: v.real = bf16_to_float(read_as<uint16_t>(p)); break;
    case DType::Float32: v.real = read_as<float>(p); break;
    case DType::Float64: v.real = read_as<double>(p); break;
    case DType::Complex32:
      v.real = half_to_float(read_as<uint16_t>(p));
      v.imag = half_to_float(read_as<uint16_t>(p + 2));
      break;
    case DType::Complex64:
      v.real = read_as<float>(p);
      v.imag = read_as<float>(p + 4);
      break;
    case DType::Complex128:
      v.real = read_as<double>(p);
      v.imag = read_as<double>(p + 8);
      break;
    case DType::Float8_e4m3fn: v.real = float8_to_double(read_as<uint8_t>(p), kE4M3FN); break;
    case DType::Float8_e5m2: v.real = float8_to_double(read_as<uint8_t>(p), kE5M2); break;
    case DType::Float8_e4m3fnuz: v.real = float8_to_double(read_as<uint8_t>(p), kE4M3FNUZ); break;
    case DType::Float8_e5m2fnuz: v.real = float8_to_double(read_as<uint8_t>(p), kE5M2FNUZ); break;
    case DType::Float8_e8m0fnu: v.real = e8m0_to_double(read_as<uint8_t>(p)); break;
    case DType::Float4_e2m1fn_x2:
      fail(ErrorCode::NotImplemented, "converting float4_e2m1fn_x2 (packed pairs) is not supported");
  }
  return v;
}

template <class T>
void write_as(std::byte* p, T value) {
  std::memcpy(p, &value, sizeof(T));
}

template <class Int>
Int to_integer(const Value& v) {
  if (v.is_integer) return static_cast<Int>(v.integer);
  // Like torch (and C), float -> int truncates toward zero; out of range is unspecified,
  // so clamp through int64 to avoid undefined behaviour.
  double t = std::trunc(v.real);
  if (!(t == t)) return 0;
  if (t >= 9.2233720368547758e18) return static_cast<Int>(INT64_MAX);
  if (t <= -9.2233720368547758e18) return static_cast<Int>(INT64_MIN);
  return static_cast<Int>(static_cast<int64_t>(t));
}

void store(std::byte* p, DType dtype, const Value& v) {
  switch (dtype) {
    case DType::Bool:
      write_as<uint8_t>(p, v.is_integer ? v.integer != 0 : (v.real != 0 || v.imag != 0));
      break;
    case DType::UInt8: write_as(p, to_integer<uint8_t>(v)); break;
    case DType::Int8: write_as(p, to_integer<int8_t>(v)); break;
    case DType::Int16: write_as(p, to_integer<int16_t>(v)); break;
    case DType::Int32: write_as(p, to_integer<int32_t>(v)); break;
    case DType::Int64: write_as(p, to_integer<int64_t>(v)); break;
    case DType::UInt16: write_as(p, to_integer<uint16_t>(v)); break;
    case DType::UInt32: write_as(p, to_integer<uint32_t>(v)); break;
    case DType::UInt64: write_as(p, to_integer<uint64_t>(v)); break;
    case DType::Float16: write_as(p, float_to_half(static_cast<float>(v.real))); break;
    case DType::BFloat16: write_as(p, float_to_bf16(static_cast<float>(v.real))); break;
    case DType::Float32: write_as(p, static_cast<float>(v.real)); break;
    case DType::Float64: write_as(p, v.real); break;
    case DType::Complex32:
      write_as(p, float_to_half(static_cast<float>(v.real)));
      write_as(p + 2, float_to_half(static_cast<float>(v.imag)));
      break;
    case DType::Complex64:
      write_as(p, static_cast<float>(v.real));
      write_as(p + 4, static_cast<float>(v.imag));
      break;
    case DType::Complex128:
      write_as(p, v.real);
      write_as(p + 8, v.imag);
      break;
    case DType::Float8_e4m3fn: write_as(p, double_to_float8(v.real, kE4M3FN)); break;
    case DType::Float8_e5m2: write_as(p, double_to_float8(v.real, kE5M2)); break;
    case DType::Float8_e4m3fnuz: write_as(p, double_to_float8(v.real, kE4M3FNUZ)); break;
    case DType::Float8_e5m2fnuz: write_as(p, double_to_float8(v.real, kE5M2FNUZ)); break;
    case DType::Float8_e8m0fnu: write_as(p, double_to_e8m0(v.real)); break;
    case DType::Float4_e2m1fn_x2:
      fail(ErrorCode::NotImplemented, "converting to float4_e2m1fn_x2 (packed pairs) is not supported");
  }
}

// The copy's dims in the order dst lays them out (outermost first), with size-1 dims dropped
// and neighbours merged wherever both layouts step over them as one dim; a channels-last to
// channels-last copy becomes one dim, a copy of rows becomes one memmove per row.
struct Walk {
  std::vector<int64_t> sizes, dst_strides, src_strides;
};

Walk coalesced(const Tensor& d, const Tensor& s) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < d.sizes().size(); ++i)
    if (d.sizes()[i] != 1) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return d.strides()[a] > d.strides()[b];
  });
  Walk w;
  for (std::size_t i : order) {
    const int64_t size = d.sizes()[i], ds = d.strides()[i], ss = s.strides()[i];
    if (!w.sizes.empty() && w.dst_strides.back() == ds * size && w.src_strides.back() == ss * size) {
      w.sizes.back() *= size;
      w.dst_strides.back() = ds;
      w.src_strides.back() = ss;
      continue;
    }
    w.sizes.push_back(size);
    w.dst_strides.push_back(ds);
    w.src_strides.push_back(ss);
  }
  return w;
}

template <std::size_t N>
void copy_same_dtype(std::byte* dst, const std::byte* src, const Tensor& d, const Tensor& s) {
  Walk w = coalesced(d, s);
  if (w.sizes.empty()) {
    std::memcpy(dst, src, N);
    return;
  }
  if (w.dst_strides.back() == 1 && w.src_strides.back() == 1) {
    // Runs contiguous in both: one memmove per run (a copy onto itself stays defined).
    const std::size_t run = static_cast<std::size_t>(w.sizes.back()) * N;
    w.sizes.back() = 1;
    for_each_offset_pair(w.sizes, w.dst_strides, w.src_strides, [&](int64_t od, int64_t os) {
      std::memmove(dst + od * N, src + os * N, run);
    });
    return;
  }
  for_each_offset_pair(w.sizes, w.dst_strides, w.src_strides, [&](int64_t od, int64_t os) {
    std::memcpy(dst + od * N, src + os * N, N);
  });
}

// Copies involving a device: the device backend moves bytes (any strides, same dtype); a dtype
// conversion goes through the host, where the CPU conversions live. Conversions on a device are
// rare in models (the generated kernels convert), so they favour simplicity over speed.
void copy_across_devices(const Tensor& dst, const Tensor& src) {
  const Device device = dst.device().is_cpu() ? src.device() : dst.device();
  PT2RUN_CHECK(dst.device().is_cpu() || src.device().is_cpu() || dst.device().type == src.device().type,
               DeviceMismatch, "copy_ between ", dst.device().str(), " and ", src.device().str());
  DeviceBackend& backend = device_backend(device.type);
  if (dst.dtype() == src.dtype()) {
    backend.copy(dst, src);
    return;
  }
  std::vector<int64_t> sizes(src.sizes().begin(), src.sizes().end());
  Tensor host_src = src;
  if (!src.device().is_cpu()) {
    host_src = Tensor::empty(sizes, src.dtype());
    backend.copy(host_src, src);
  }
  if (dst.device().is_cpu()) {
    copy_elements(dst, host_src);
    return;
  }
  backend.copy(dst, host_src.to(dst.dtype()));
}

}  // namespace

void copy_elements(const Tensor& dst, const Tensor& src) {
  PT2RUN_CHECK(dst.defined() && src.defined(), InvalidArgument, "copy of an undefined tensor");
  PT2RUN_CHECK(std::equal(dst.sizes().begin(), dst.sizes().end(), src.sizes().begin(),
                          src.sizes().end()),
               ShapeMismatch, "copy_: sizes differ: ", dst.describe(), " <- ", src.describe());
  if (dst.numel() == 0) return;
  if (!dst.device().is_cpu() || !src.device().is_cpu()) {
    copy_across_devices(dst, src);
    return;
  }
  auto* out = static_cast<std::byte*>(dst.data_ptr());
  const auto* in = static_cast<const std::byte*>(src.data_ptr());
  if (dst.dtype() == src.dtype()) {
    if (dst.is_contiguous() && src.is_contiguous()) {
      std::memmove(out, in, dst.nbytes());
      return;
    }
    switch (dst.element_size()) {
      case 1: copy_same_dtype<1>(out, in, dst, src); return;
      case 2: copy_same_dtype<2>(out, in, dst, src); return;
      case 4: copy_same_dtype<4>(out, in, dst, src); return;
      case 8: copy_same_dtype<8>(out, in, dst, src); return;
      case 16: copy_same_dtype<16>(out, in, dst, src); return;
      default: break;
    }
  }
  const std::size_t dsize = dst.element_size();
  const std::size_t ssize = src.element_size();
  const DType dtype_out = dst.dtype();
  const DType dtype_in = src.dtype();
  for_each_offset_pair(dst.sizes(), dst.strides(), src.strides(), [&](int64_t od, int64_t os) {
    store(out + od * dsize, dtype_out, load(in + os * ssize, dtype_in));
  });
}

}  // namespace pt2run::detail
