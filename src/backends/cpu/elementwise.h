#pragma once

// Binary arithmetic AOTInductor leaves to fallbacks: its kernels cover real dtypes, so these
// run mostly for complex tensors. torch's broadcasting and type promotion; the output keeps the
// layout of an input of the output's shape (as torch's TensorIterator does for same-layout
// inputs). Computed in double / complex<double> / int64, rounded once to the result dtype.

#include "pt2run/tensor.h"

namespace pt2run::cpu {

// torch.result_type for two tensors: complex > floating > integral > bool, widest of a
// category; a 0-d tensor only decides the category when the other is of a lower one.
DType promote(const Tensor& a, const Tensor& b);

Tensor add(const Tensor& a, const Tensor& b, double alpha);  // a + alpha * b
Tensor mul(const Tensor& a, const Tensor& b);
// With a Python number: the tensor's dtype, or float32 for an integral tensor and a
// fractional number (the shim receives every number as a double).
Tensor add_scalar(const Tensor& a, double other, double alpha);
Tensor mul_scalar(const Tensor& a, double other);
// a - alpha * b; refuses two bool tensors, as torch does.
Tensor sub(const Tensor& a, const Tensor& b, double alpha);

// torch.pow's three overloads. An integral base and exponent stay integral (a negative
// integral exponent is refused, as torch refuses it); a number beside a tensor promotes as torch
// promotes a Python number.
Tensor pow(const Tensor& base, const Tensor& exponent);
Tensor pow_scalar_exponent(const Tensor& base, double exponent);
Tensor pow_scalar_base(double base, const Tensor& exponent);

// torch.gcd of integral tensors: non-negative, gcd(0, 0) = 0.
Tensor gcd(const Tensor& a, const Tensor& b);

// torch.angle: the argument of a complex tensor (its real dtype); 0 or pi for real ones (NaN
// kept), float32 for integral input.
Tensor angle(const Tensor& a);

// torch.polar(abs, angle): abs * (cos(angle) + i sin(angle)), float32 -> complex64, float64 ->
// complex128.
Tensor polar(const Tensor& abs, const Tensor& angle);

}  // namespace pt2run::cpu
