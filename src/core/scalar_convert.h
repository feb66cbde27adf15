#pragma once

// Conversions between the reduced-precision float formats and float/double, bit-exact with
// c10's (round to nearest even; NaN stays NaN).

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace pt2run::detail {

// static_cast<Int>(value) as x86's truncating conversion computes it, without the undefined
// behaviour: NaN and values outside Int's range give Int's lowest value (the "integer
// indefinite" 0x80...0). torch's kernels that cast float results to integers behave so on x86.
template <class Int>
inline Int truncate_like_x86(double value) {
  constexpr double lo = -static_cast<double>(static_cast<uint64_t>(1) << (sizeof(Int) * 8 - 1));
  if (!(value >= lo && value < -lo)) return static_cast<Int>(static_cast<uint64_t>(1) << (sizeof(Int) * 8 - 1));
  return static_cast<Int>(value);
}

inline float bf16_to_float(uint16_t bits) { return std::bit_cast<float>(uint32_t{bits} << 16); }

inline uint16_t float_to_bf16(float value) {
  if (std::isnan(value)) return 0x7FC0;
  uint32_t bits = std::bit_cast<uint32_t>(value);
  uint32_t rounding_bias = 0x7FFF + ((bits >> 16) & 1);
  return static_cast<uint16_t>((bits + rounding_bias) >> 16);
}

inline float half_to_float(uint16_t bits) { return static_cast<float>(std::bit_cast<_Float16>(bits)); }
inline uint16_t float_to_half(float value) {
  return std::bit_cast<uint16_t>(static_cast<_Float16>(value));
}

// An 8-bit float layout: exponent/mantissa widths, bias, and how specials are encoded.
struct Float8Format {
  int exponent_bits;
  int mantissa_bits;
  int bias;
  bool has_inf;      // e5m2: IEEE-like infinities
  bool nan_is_0x80;  // the fnuz types: 0x80 is the only NaN, no negative zero
  bool saturating;   // unused by the torch formats here; kept explicit for clarity
};

inline constexpr Float8Format kE4M3FN{4, 3, 7, false, false, false};
inline constexpr Float8Format kE5M2{5, 2, 15, true, false, false};
inline constexpr Float8Format kE4M3FNUZ{4, 3, 8, false, true, false};
inline constexpr Float8Format kE5M2FNUZ{5, 2, 16, false, true, false};

double float8_to_double(uint8_t bits, const Float8Format& f);
uint8_t double_to_float8(double value, const Float8Format& f);

// float8_e8m0fnu: an unsigned power of two, 2^(bits-127); 0xFF is NaN.
inline double e8m0_to_double(uint8_t bits) {
  return bits == 0xFF ? std::nan("") : std::ldexp(1.0, int{bits} - 127);
}
uint8_t double_to_e8m0(double value);

}  // namespace pt2run::detail
