#include "backends/cpu/elementwise.h"

#include <algorithm>
#include <cmath>
#include <complex>
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

std::vector<int64_t> broadcast_sizes(const Tensor& a, const Tensor& b) {
  const int64_t rank = std::max(a.dim(), b.dim());
  std::vector<int64_t> sizes(static_cast<std::size_t>(rank));
  for (int64_t i = 0; i < rank; ++i) {
    const int64_t da = i - (rank - a.dim()), db = i - (rank - b.dim());
    const int64_t sa = da >= 0 ? a.size(da) : 1, sb = db >= 0 ? b.size(db) : 1;
    PT2RUN_CHECK(sa == sb || sa == 1 || sb == 1, ShapeMismatch, "cannot broadcast ", a.describe(), " with ",
                 b.describe());
    sizes[static_cast<std::size_t>(i)] = sa == 1 ? sb : sa;
  }
  return sizes;
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
  const std::vector<int64_t> sizes = broadcast_sizes(a, b);
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

Tensor scalar_tensor(double value, DType dtype) {
  Tensor t = Tensor::empty({}, DType::Float64);
  t.data<double>()[0] = value;
  return t.to(dtype);
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
  return add_as(a, scalar_tensor(other, result), alpha, result);
}

Tensor mul_scalar(const Tensor& a, double other) {
  const DType result = scalar_result(a, other);
  return mul_as(a, scalar_tensor(other, result), result);
}

}  // namespace pt2run::cpu
