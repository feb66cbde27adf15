#include "backends/cpu/elementwise.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

#include "core/check.h"
#include "core/layout.h"

namespace pt2run::cpu {
namespace {

enum class Category { Bool, Integral, Floating, Complex };

Category category(DType d) {
  if (d == DType::Bool) return Category::Bool;
  if (is_complex(d)) return Category::Complex;
  if (is_floating_point(d)) return Category::Floating;
  return Category::Integral;
}

// The wider of two dtypes of one category (torch's promote_types within it).
DType wider(DType a, DType b) {
  if (a == b) return a;
  const std::size_t sa = element_size(a), sb = element_size(b);
  if (category(a) == Category::Floating && sa == sb) return DType::Float32;  // float16 with bfloat16
  if (category(a) == Category::Integral && sa == sb) {
    // Signed and unsigned of one width: the next signed width holds both.
    return sa == 1 ? DType::Int16 : sa == 2 ? DType::Int32 : DType::Int64;
  }
  return sa > sb ? a : b;
}

DType complex_of(DType real) {
  if (real == DType::Float64) return DType::Complex128;
  if (real == DType::Float16) return DType::Complex32;
  return DType::Complex64;
}

DType combine(DType a, DType b) {
  const Category ca = category(a), cb = category(b);
  if (ca == cb) return wider(a, b);
  // Complex with a real floating type takes the wider of the two precisions.
  if (ca == Category::Complex && cb == Category::Floating)
    return element_size(b) * 2 > element_size(a) ? complex_of(b) : a;
  if (cb == Category::Complex && ca == Category::Floating)
    return element_size(a) * 2 > element_size(b) ? complex_of(a) : b;
  return ca > cb ? a : b;
}


template <class T, class Op>
void apply(Tensor& work_out, const Tensor& wa, const Tensor& wb, Op op) {
  const T* pa = wa.data<T>();
  const T* pb = wb.data<T>();
  T* po = work_out.data<T>();
  for (int64_t i = 0; i < work_out.numel(); ++i) po[i] = op(pa[i], pb[i]);
}

// a op b with broadcasting, in the work type of `result`, written into a tensor of `result`.
template <class RealOp, class ComplexOp, class IntOp>
Tensor binary(const Tensor& a, const Tensor& b, DType result, const char* name, RealOp real_op,
              ComplexOp complex_op, IntOp int_op) {
  PT2RUN_CHECK(a.device().type == DeviceType::CPU && b.device().type == DeviceType::CPU, DeviceMismatch, name,
               ": needs CPU tensors, got ", a.describe(), " and ", b.describe());
  const std::vector<int64_t> sizes = detail::broadcast_sizes(a, b);
  const Category cat = category(result);
  const DType work = cat == Category::Complex ? DType::Complex128
                     : cat == Category::Floating ? DType::Float64
                                                 : DType::Int64;
  const Tensor ea = detail::expand_to(a, sizes), eb = detail::expand_to(b, sizes);
  Tensor wa = ea.to(work), wb = eb.to(work);
  Tensor wo = Tensor::empty(sizes, work);
  if (cat == Category::Complex) apply<std::complex<double>>(wo, wa, wb, complex_op);
  else if (cat == Category::Floating) apply<double>(wo, wa, wb, real_op);
  else apply<int64_t>(wo, wa, wb, int_op);
  // Laid out as torch's TensorIterator lays out the output for these inputs.
  Tensor out = Tensor::empty_strided(sizes, detail::iterator_output_strides(sizes, {ea.strides(), eb.strides()}), result);
  out.copy_(wo);
  return out;
}

DType scalar_result(const Tensor& a, double other) {
  const Category c = category(a.dtype());
  if ((c == Category::Integral || c == Category::Bool) && other != std::floor(other)) return DType::Float32;
  if (c == Category::Bool && other != 0 && other != 1) return DType::Int64;
  return a.dtype();
}

}  // namespace

DType promote(const Tensor& a, const Tensor& b) {
  const bool a0 = a.dim() == 0, b0 = b.dim() == 0;
  if (a0 == b0) return combine(a.dtype(), b.dtype());
  // A 0-d tensor beside a dimensioned one decides only when its category is higher.
  const Tensor& dimensioned = a0 ? b : a;
  const Tensor& zero_d = a0 ? a : b;
  if (category(zero_d.dtype()) > category(dimensioned.dtype())) {
    return category(zero_d.dtype()) == Category::Complex && category(dimensioned.dtype()) == Category::Floating
               ? combine(zero_d.dtype(), dimensioned.dtype())
               : zero_d.dtype();
  }
  return dimensioned.dtype();
}

namespace {

Tensor add_as(const Tensor& a, const Tensor& b, double alpha, DType result) {
  PT2RUN_CHECK(result != DType::Bool || alpha == 1 || alpha == 0, InvalidArgument,
               "add: boolean alpha must be True or False");
  const auto ia = static_cast<int64_t>(alpha);
  return binary(
      a, b, result, "add", [alpha](double x, double y) { return x + alpha * y; },
      [alpha](std::complex<double> x, std::complex<double> y) { return x + alpha * y; },
      [ia, result](int64_t x, int64_t y) {
        return result == DType::Bool ? int64_t{(x != 0) || (ia * y != 0)} : x + ia * y;
      });
}

Tensor mul_as(const Tensor& a, const Tensor& b, DType result) {
  return binary(
      a, b, result, "mul", [](double x, double y) { return x * y; },
      [](std::complex<double> x, std::complex<double> y) { return x * y; },
      [result](int64_t x, int64_t y) { return result == DType::Bool ? int64_t{x != 0 && y != 0} : x * y; });
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b, double alpha) { return add_as(a, b, alpha, promote(a, b)); }

Tensor mul(const Tensor& a, const Tensor& b) { return mul_as(a, b, promote(a, b)); }

Tensor add_scalar(const Tensor& a, double other, double alpha) {
  const DType result = scalar_result(a, other * alpha);
  return add_as(a, detail::scalar_tensor(other, result), alpha, result);
}

Tensor mul_scalar(const Tensor& a, double other) {
  const DType result = scalar_result(a, other);
  return mul_as(a, detail::scalar_tensor(other, result), result);
}

Tensor sub(const Tensor& a, const Tensor& b, double alpha) {
  PT2RUN_CHECK(!(a.dtype() == DType::Bool && b.dtype() == DType::Bool), DTypeMismatch,
               "subtract: two bool tensors cannot be subtracted (torch refuses it too); use logical_xor");
  return add_as(a, b, -alpha, promote(a, b));
}

namespace {

// base ** exp in integers, wrapping as torch's integer kernels do; a negative exponent gives
// what torch's integral pow gives (1 for base 1, +-1 for base -1, else 0).
int64_t int_pow(int64_t base, int64_t exp) {
  if (exp < 0) {
    if (base == 1) return 1;
    if (base == -1) return exp % 2 == 0 ? 1 : -1;
    return 0;
  }
  uint64_t result = 1, b = static_cast<uint64_t>(base);
  for (auto e = static_cast<uint64_t>(exp); e != 0; e >>= 1) {
    if (e & 1) result *= b;
    b *= b;
  }
  return static_cast<int64_t>(result);
}

Tensor pow_as(const Tensor& base, const Tensor& exponent, DType result) {
  return binary(
      base, exponent, result, "pow", [](double x, double y) { return std::pow(x, y); },
      [](std::complex<double> x, std::complex<double> y) {
        // torch: anything to the power 0 is 1, and 0 to a positive real power is 0.
        if (y == std::complex<double>(0, 0)) return std::complex<double>(1, 0);
        if (x == std::complex<double>(0, 0) && y.imag() == 0 && y.real() > 0) return std::complex<double>(0, 0);
        return std::pow(x, y);
      },
      [result](int64_t x, int64_t y) { return result == DType::Bool ? int64_t{x != 0 || y == 0} : int_pow(x, y); });
}

// The dtype a Python number gives beside a tensor of `dtype` in a binary op.
DType number_with(DType dtype, double number) {
  const Category c = category(dtype);
  if (c == Category::Bool) return number == std::floor(number) ? DType::Int64 : DType::Float32;
  if (c == Category::Integral && number != std::floor(number)) return DType::Float32;
  return dtype;
}

// A unary op computed in double or complex<double>, written in `result` laid out as the input
// (TensorIterator with one operand).
template <class RealOp, class ComplexOp>
Tensor unary(const Tensor& a, DType result, const char* name, bool preserve_layout, RealOp real_op,
             ComplexOp complex_op) {
  PT2RUN_CHECK(a.device().type == DeviceType::CPU, DeviceMismatch, name, ": needs a CPU tensor, got ", a.describe());
  const std::vector<int64_t> sizes = detail::sizes_of(a);
  Tensor wo = Tensor::empty(sizes, is_complex(result) ? DType::Complex128 : DType::Float64);
  if (is_complex(a.dtype())) {
    Tensor wa = a.to(DType::Complex128);
    const auto* pa = wa.data<std::complex<double>>();
    for (int64_t i = 0; i < wo.numel(); ++i) {
      if (is_complex(result)) wo.data<std::complex<double>>()[i] = complex_op(pa[i]);
      else wo.data<double>()[i] = complex_op(pa[i]).real();
    }
  } else {
    Tensor wa = a.to(DType::Float64);
    for (int64_t i = 0; i < wo.numel(); ++i) wo.data<double>()[i] = real_op(wa.data<double>()[i]);
  }
  if (!preserve_layout) return wo.to(result);
  Tensor out = Tensor::empty_strided(sizes, detail::iterator_output_strides(sizes, {a.strides()}), result);
  out.copy_(wo);
  return out;
}

DType real_of(DType complex) {
  return complex == DType::Complex128 ? DType::Float64 : complex == DType::Complex32 ? DType::Float16 : DType::Float32;
}

}  // namespace

Tensor pow(const Tensor& base, const Tensor& exponent) { return pow_as(base, exponent, promote(base, exponent)); }

Tensor pow_scalar_exponent(const Tensor& base, double exponent) {
  const DType result = number_with(base.dtype(), exponent);
  return pow_as(base, detail::scalar_tensor(exponent, is_complex(result) ? result : DType::Float64), result);
}

Tensor pow_scalar_base(double base, const Tensor& exponent) {
  const DType result = number_with(exponent.dtype(), base);
  return pow_as(detail::scalar_tensor(base, DType::Float64), exponent, result);
}

Tensor gcd(const Tensor& a, const Tensor& b) {
  const DType result = promote(a, b);
  PT2RUN_CHECK(category(result) == Category::Integral, DTypeMismatch, "gcd needs integral tensors, got ",
               a.describe(), " and ", b.describe());
  return binary(
      a, b, result, "gcd", [](double, double) { return 0.0; },
      [](std::complex<double>, std::complex<double>) { return std::complex<double>(); },
      [](int64_t x, int64_t y) {
        // Euclid on magnitudes, as torch's calc_gcd does (std::gcd is undefined for INT64_MIN).
        uint64_t ux = x < 0 ? 0 - static_cast<uint64_t>(x) : static_cast<uint64_t>(x);
        uint64_t uy = y < 0 ? 0 - static_cast<uint64_t>(y) : static_cast<uint64_t>(y);
        while (uy != 0) {
          const uint64_t r = ux % uy;
          ux = uy;
          uy = r;
        }
        return static_cast<int64_t>(ux);
      });
}

Tensor angle(const Tensor& a) {
  const DType result = is_complex(a.dtype())          ? real_of(a.dtype())
                       : is_floating_point(a.dtype()) ? a.dtype()
                                                      : DType::Float32;
  // torch's complex angle is a composite op with a contiguous result; the real one is a
  // TensorIterator kernel that keeps the input's layout.
  return unary(
      a, result, "angle", !is_complex(a.dtype()),
      [](double x) { return std::isnan(x) ? x : x < 0 ? std::numbers::pi : 0.0; },
      [](std::complex<double> z) { return std::complex<double>(std::arg(z), 0); });
}

Tensor polar(const Tensor& abs, const Tensor& angle) {
  PT2RUN_CHECK(abs.dtype() == angle.dtype() && (abs.dtype() == DType::Float32 || abs.dtype() == DType::Float64),
               DTypeMismatch, "polar needs abs and angle of one dtype, float32 or float64; got ", abs.describe(),
               " and ", angle.describe());
  const DType result = abs.dtype() == DType::Float64 ? DType::Complex128 : DType::Complex64;
  const std::vector<int64_t> sizes = detail::broadcast_sizes(abs, angle);
  const Tensor ea = detail::expand_to(abs, sizes), eb = detail::expand_to(angle, sizes);
  const Tensor r = ea.to(DType::Float64), theta = eb.to(DType::Float64);
  Tensor wo = Tensor::empty(sizes, DType::Complex128);
  // abs * cos and abs * sin separately, in the input's precision, as torch computes them (a
  // complex product would turn an infinite abs at angle 0 into NaN).
  const bool single = abs.dtype() == DType::Float32;
  for (int64_t i = 0; i < wo.numel(); ++i) {
    const double m = r.data<double>()[i], t = theta.data<double>()[i];
    if (single) {
      const auto fm = static_cast<float>(m), ft = static_cast<float>(t);
      wo.data<std::complex<double>>()[i] = {fm * std::cos(ft), fm * std::sin(ft)};
    } else {
      wo.data<std::complex<double>>()[i] = {m * std::cos(t), m * std::sin(t)};
    }
  }
  Tensor out = Tensor::empty_strided(sizes, detail::iterator_output_strides(sizes, {ea.strides(), eb.strides()}), result);
  out.copy_(wo);
  return out;
}

}  // namespace pt2run::cpu
