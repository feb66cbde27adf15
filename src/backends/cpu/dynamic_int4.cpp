#include "backends/cpu/dynamic_int4.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/check.h"
#include "core/scalar_convert.h"

namespace pt2run::cpu {
namespace {

void check_shape(int64_t block_size, int64_t k, int64_t n, const char* op) {
  PT2RUN_CHECK(k > 0 && n > 0 && k % 2 == 0, InvalidArgument, op, ": in_features (", k,
               ") must be even and positive and out_features (", n, ") positive");
  PT2RUN_CHECK(block_size == k || (block_size > 0 && block_size % 32 == 0 && k % block_size == 0), InvalidArgument,
               op, ": block_size ", block_size, " must be in_features (", k,
               ") or a multiple of 32 that divides it");
}

// One input row quantized: int8 values, the reciprocal scale and the negated zero point.
struct QuantizedRow {
  std::vector<int32_t> q;
  float inverse_scale = 0;
  int32_t offset = 0;
};

// torch's channelwise and groupwise kernels add the two zero-point errors in a different
// order; `grouped` picks the groupwise order, so the rare tie breaks the same way.
QuantizedRow quantize_row(const float* x, int64_t k, bool grouped) {
  float lo = FLT_MAX, hi = -FLT_MAX;
  // Argument order as torch's: a NaN element becomes the running extreme until a number
  // replaces it.
  for (int64_t i = 0; i < k; ++i) {
    lo = std::min(x[i], lo);
    hi = std::max(x[i], hi);
  }
  const float qmin = -128.0f, qmax = 127.0f;
  const float rmin = std::min(0.0f, lo), rmax = std::max(0.0f, hi);
  const float scale = rmin == rmax ? 1.0f : (qmax - qmin) / (rmax - rmin);
  const float dmin = rmin * scale, dmax = rmax * scale;
  // The zero point from whichever end leaves the smaller rounding error.
  const float error_sum = grouped ? qmin + dmin + qmax + dmax : (qmin + dmin) + (qmax + dmax);
  float zero_point = error_sum > 0 ? qmin - dmin : qmax - dmax;
  zero_point = std::min(std::max(zero_point, qmin), qmax);
  const auto nudged = static_cast<int32_t>(lrintf(zero_point));
  QuantizedRow r;
  r.inverse_scale = scale != 0 ? 1.0f / scale : 0.0f;
  r.offset = -nudged;
  r.q.resize(static_cast<std::size_t>(k));
  for (int64_t i = 0; i < k; ++i) {
    // Wrapping like torch's int32 add on x86 (the truncation of NaN gives INT32_MIN).
    const auto v = static_cast<int32_t>(
        static_cast<uint32_t>(detail::truncate_like_x86<int32_t>(std::round(x[i] * scale))) +
        static_cast<uint32_t>(nudged));
    r.q[static_cast<std::size_t>(i)] = std::min(std::max(v, -128), 127);
  }
  return r;
}

}  // namespace

Tensor dyn_quant_pack_4bit_weight(const Tensor& weights, const Tensor& scales, int64_t block_size,
                                  int64_t in_features, int64_t out_features) {
  check_shape(block_size, in_features, out_features, "_dyn_quant_pack_4bit_weight");
  PT2RUN_CHECK(weights.dtype() == DType::UInt8 && weights.numel() == out_features * in_features / 2, ShapeMismatch,
               "_dyn_quant_pack_4bit_weight: weights must be uint8 with N * K / 2 = ", out_features * in_features / 2,
               " bytes, got ", weights.describe());
  PT2RUN_CHECK(scales.numel() == out_features * (in_features / block_size), ShapeMismatch,
               "_dyn_quant_pack_4bit_weight: scales_zeros must hold ", out_features * (in_features / block_size),
               " values, got ", scales.describe());
  const Tensor w = weights.to(DType::Float32), s = scales.to(DType::Float32);
  Tensor packed = Tensor::empty({w.numel() + s.numel()}, DType::Float32);
  std::copy(w.data<float>(), w.data<float>() + w.numel(), packed.data<float>());
  std::copy(s.data<float>(), s.data<float>() + s.numel(), packed.data<float>() + w.numel());
  return packed;
}

Tensor dyn_quant_matmul_4bit(const Tensor& input, const Tensor& packed, int64_t block_size, int64_t in_features,
                             int64_t out_features) {
  const int64_t k = in_features, n = out_features;
  check_shape(block_size, k, n, "_dyn_quant_matmul_4bit");
  // torch reads any input as [size(0), K] (a 3-d input would lose rows); pt2run takes only the
  // 2-d input that makes sense.
  PT2RUN_CHECK(input.dtype() == DType::Float32 && input.dim() == 2 && input.size(1) == k, ShapeMismatch,
               "_dyn_quant_matmul_4bit: input must be float32 [M, ", k, "], got ", input.describe());
  const int64_t blocks = k / block_size;
  const int64_t expected = n * k / 2 + n * blocks;
  PT2RUN_CHECK(packed.dim() == 1 && packed.numel() == expected, InvalidArgument,
               "_dyn_quant_matmul_4bit: packed weights ", packed.describe(), " are not the x86 layout (", expected,
               " float32 values: weight bytes, then scales); a package exported by an Arm build of torch packs "
               "them for KleidiAI, which pt2run does not read. Export on x86");
  const Tensor p = packed.to(DType::Float32);
  std::vector<uint8_t> bytes(static_cast<std::size_t>(n * k / 2));
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(p.data<float>()[i]);
  const float* scale = p.data<float>() + n * k / 2;
  const Tensor x = input.contiguous();
  const int64_t m = x.numel() / k;
  Tensor out = Tensor::empty({m, n}, DType::Float32);
  for (int64_t r = 0; r < m; ++r) {
    const QuantizedRow q = quantize_row(x.data<float>() + r * k, k, blocks > 1);
    for (int64_t c = 0; c < n; ++c) {
      const uint8_t* row = bytes.data() + c * (k / 2);
      float acc = 0;
      for (int64_t b = 0; b < blocks; ++b) {
        int32_t iacc = 0;
        for (int64_t i = b * block_size; i < (b + 1) * block_size; ++i) {
          const uint8_t byte = row[i / 2];
          const int32_t w = (i % 2 == 0 ? byte & 0x0F : byte >> 4) - 8;
          iacc += (q.q[static_cast<std::size_t>(i)] + q.offset) * w;
        }
        // Channelwise: the one block's sum times its scale; groupwise: the blocks summed.
        acc += static_cast<float>(iacc) * scale[blocks == 1 ? c : b + c * blocks];
      }
      out.data<float>()[r * n + c] = acc * q.inverse_scale;
    }
  }
  return out;
}

}  // namespace pt2run::cpu
