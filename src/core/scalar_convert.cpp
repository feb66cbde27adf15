#include "core/scalar_convert.h"

namespace pt2run::detail {
namespace {

uint8_t nan_bits(const Float8Format& f, uint8_t sign) {
  if (f.nan_is_0x80) return 0x80;
  return static_cast<uint8_t>(sign | 0x7F);
}

uint8_t overflow_bits(const Float8Format& f, uint8_t sign) {
  if (f.has_inf) return static_cast<uint8_t>(sign | (((1 << f.exponent_bits) - 1) << f.mantissa_bits));
  return nan_bits(f, sign);
}

}  // namespace

double float8_to_double(uint8_t bits, const Float8Format& f) {
  if (f.nan_is_0x80 && bits == 0x80) return std::nan("");
  const int m = f.mantissa_bits;
  const int max_exponent = (1 << f.exponent_bits) - 1;
  const bool negative = bits & 0x80;
  const int exponent = (bits >> m) & max_exponent;
  const int mantissa = bits & ((1 << m) - 1);
  double value;
  if (f.has_inf && exponent == max_exponent) {
    value = mantissa == 0 ? INFINITY : NAN;
  } else if (!f.has_inf && !f.nan_is_0x80 && exponent == max_exponent &&
             mantissa == (1 << m) - 1) {
    value = NAN;
  } else if (exponent == 0) {
    value = std::ldexp(mantissa, 1 - f.bias - m);
  } else {
    value = std::ldexp((1 << m) + mantissa, exponent - f.bias - m);
  }
  return negative ? -value : value;
}

uint8_t double_to_float8(double value, const Float8Format& f) {
  const uint8_t sign = std::signbit(value) && !f.nan_is_0x80 ? 0x80 : 0;
  const uint8_t sign_nonzero = std::signbit(value) ? 0x80 : 0;
  if (std::isnan(value)) return nan_bits(f, sign);
  const int m = f.mantissa_bits;
  double a = std::fabs(value);
  if (std::isinf(a)) return overflow_bits(f, sign_nonzero);
  if (a == 0.0) return sign;
  const int min_normal_exponent = 1 - f.bias;
  int exponent;
  std::frexp(a, &exponent);
  exponent -= 1;  // a = 1.x * 2^exponent
  if (exponent < min_normal_exponent) {
    double q = std::nearbyint(std::ldexp(a, f.bias - 1 + m));  // round half to even
    if (q == 0.0) return sign;
    return static_cast<uint8_t>(sign_nonzero | static_cast<int>(q));
  }
  double scaled = std::nearbyint(std::ldexp(a, m - exponent));  // in [2^m, 2^(m+1)]
  int mantissa = static_cast<int>(scaled) - (1 << m);
  if (mantissa == (1 << m)) {
    mantissa = 0;
    exponent += 1;
  }
  const int biased = exponent + f.bias;
  const int max_exponent = (1 << f.exponent_bits) - 1;
  if (biased > max_exponent || (f.has_inf && biased == max_exponent)) {
    return overflow_bits(f, sign_nonzero);
  }
  return static_cast<uint8_t>(sign_nonzero | (biased << m) | mantissa);
}

uint8_t double_to_e8m0(double value) {
  if (std::isnan(value) || value < 0 || std::isinf(value)) return 0xFF;
  if (value == 0.0) return 0;
  int exponent;
  double fraction = std::frexp(value, &exponent);  // value = fraction * 2^exponent, fraction in [0.5, 1)
  int biased = exponent - 1 + 127;
  if (fraction > 0.75) biased += 1;  // nearest power of two
  if (biased < 0) return 0;
  if (biased > 254) return 0xFF;
  return static_cast<uint8_t>(biased);
}

}  // namespace pt2run::detail
