#include "package/crc32.h"

#include <zlib.h>

#include <algorithm>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace pt2run::detail {
namespace {

uint32_t zlib_crc32(uint32_t crc, const unsigned char* data, std::size_t size) {
  uLong c = crc;
  while (size > 0) {
    const auto n = static_cast<uInt>(std::min<std::size_t>(size, std::size_t{1} << 30));
    c = ::crc32(c, data, n);
    data += n;
    size -= n;
  }
  return static_cast<uint32_t>(c);
}

#if defined(__x86_64__)
// Folding with carry-less multiplication (Gopal et al., "Fast CRC Computation for Generic
// Polynomials Using PCLMULQDQ Instruction", Intel, 2009): 64 bytes are kept as four 128-bit
// lanes; multiplying a lane by x^D mod P (D the folding distance) and adding the data D bits on
// keeps the lanes congruent to the message read so far. What remains is a 16-byte message with
// the same CRC, which zlib finishes together with the last bytes.
//
// The constants are x^(D+32) mod P and x^(D-32) mod P, bit-reflected, for D = 512 (four lanes
// folded onto the next 64 bytes) and D = 128 (one lane onto the next 16 bytes).
__attribute__((target("pclmul,sse4.1"))) __m128i fold(__m128i lane, __m128i k, __m128i next) {
  const __m128i lo = _mm_clmulepi64_si128(lane, k, 0x00);
  const __m128i hi = _mm_clmulepi64_si128(lane, k, 0x11);
  return _mm_xor_si128(_mm_xor_si128(lo, hi), next);
}

__attribute__((target("pclmul,sse4.1"))) uint32_t pclmul_crc32(uint32_t crc, const unsigned char* p,
                                                                std::size_t size) {
  auto load = [](const unsigned char* at) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
  };
  const __m128i by64 = _mm_set_epi64x(0x1c6e41596, 0x154442bd4);
  const __m128i by16 = _mm_set_epi64x(0x0ccaa009e, 0x1751997d0);
  // The conditioning (the register starting at ~crc) is the same as adding ~crc to the first
  // four bytes and starting at zero.
  __m128i x0 = _mm_xor_si128(load(p), _mm_cvtsi32_si128(static_cast<int>(~crc)));
  __m128i x1 = load(p + 16), x2 = load(p + 32), x3 = load(p + 48);
  p += 64;
  size -= 64;
  for (; size >= 64; p += 64, size -= 64) {
    x0 = fold(x0, by64, load(p));
    x1 = fold(x1, by64, load(p + 16));
    x2 = fold(x2, by64, load(p + 32));
    x3 = fold(x3, by64, load(p + 48));
  }
  x0 = fold(x0, by16, x1);
  x0 = fold(x0, by16, x2);
  x0 = fold(x0, by16, x3);
  for (; size >= 16; p += 16, size -= 16) x0 = fold(x0, by16, load(p));
  alignas(16) unsigned char rest[16];
  _mm_store_si128(reinterpret_cast<__m128i*>(rest), x0);
  // zlib starting from 0xFFFFFFFF runs its register from zero: the folded lane is the message.
  return zlib_crc32(zlib_crc32(0xFFFFFFFFu, rest, 16), p, size);
}

bool has_pclmul() {
  static const bool value = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
  return value;
}
#endif

}  // namespace

uint32_t crc32_update(uint32_t crc, const void* data, std::size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
#if defined(__x86_64__)
  if (size >= 256 && has_pclmul()) return pclmul_crc32(crc, bytes, size);
#endif
  return zlib_crc32(crc, bytes, size);
}

}  // namespace pt2run::detail
