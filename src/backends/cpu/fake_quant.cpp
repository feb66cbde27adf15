#include "backends/cpu/fake_quant.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/check.h"
#include "core/layout.h"
#include "core/scalar_convert.h"
#include "core/views.h"

namespace pt2run::cpu {
namespace {

int64_t flag(const Tensor& t, const char* name) {
  PT2RUN_CHECK(t.numel() >= 1, InvalidArgument, "_fused_moving_avg_obs_fq_helper: ", name, " is empty");
  return t.to(DType::Int64).data<int64_t>()[0];
}

struct QParams {
  float scale;
  int32_t zero_point;
};

// torch's ChooseQuantizationParams (no range reduction, no power-of-two scale). As in torch,
// an empty range (never observed: inf and -inf) is not an error: it widens to [0, 0].
QParams choose_qparams(float min, float max, int32_t qmin, int32_t qmax, bool preserve_sparsity) {
  if (min < 0 && max > 0 && preserve_sparsity) {
    const int symmetric_qmin = -((qmax - qmin) / 2 + 1);
    const int symmetric_qmax = (qmax - qmin) / 2;
    const double max_scale = std::max(std::fabs(min / symmetric_qmin), std::fabs(max / symmetric_qmax));
    min = static_cast<float>(max_scale * symmetric_qmin);
    max = static_cast<float>(max_scale * symmetric_qmax);
  }
  min = std::min(min, 0.f);
  max = std::max(max, 0.f);
  double scale = (static_cast<double>(max) - min) / (qmax - qmin);
  if (static_cast<float>(scale) == 0.0f || std::isinf(1.0f / static_cast<float>(scale))) scale = 0.1;
  constexpr float kSmallScale = 6.1e-5f;
  if (scale < kSmallScale) {
    const auto original = static_cast<float>(scale);
    scale = kSmallScale;
    if (min == 0.0f) {
      max = kSmallScale * static_cast<float>(qmax - qmin);
    } else if (max == 0.0f) {
      min = -kSmallScale * static_cast<float>(qmax - qmin);
    } else {
      const float amplifier = kSmallScale / original;
      min *= amplifier;
      max *= amplifier;
    }
  }
  const double from_min = qmin - min / scale, from_max = qmax - max / scale;
  const double from_min_error = std::abs(qmin) - std::abs(min / scale);
  const double from_max_error = std::abs(qmax) - std::abs(max / scale);
  double initial = from_min_error < from_max_error ? from_min : from_max;
  if (min < 0 && max > 0 && preserve_sparsity) initial = static_cast<double>(qmin + qmax) / 2;
  // A NaN range leaves the zero point NaN; it converts as on x86 (to INT32_MIN), out of range.
  const int32_t nudged =
      initial < qmin ? qmin : initial > qmax ? qmax : detail::truncate_like_x86<int32_t>(std::nearbyint(initial));
  return {static_cast<float>(scale), nudged};
}

// running = x where running is infinite (never observed), else running + c * (x - running).
void moving_average(float* running, const float* observed, int64_t n, float c) {
  for (int64_t i = 0; i < n; ++i)
    running[i] = std::isinf(running[i]) ? observed[i] : running[i] + c * (observed[i] - running[i]);
}

// The per-row state torch creates on first use: n values of `fill` (zero points int32).
Tensor filled(int64_t n, DType dtype, float fill) {
  Tensor r = Tensor::empty({n}, dtype);
  if (dtype == DType::Float32) std::fill_n(r.data<float>(), n, fill);
  else std::fill_n(r.data<int32_t>(), n, 0);
  return r;
}

// Copies src's values (same count, any shape) into dst, in dst's dtype.
void write_back(Tensor& dst, const Tensor& src) {
  const std::vector<int64_t> sizes = detail::sizes_of(dst);
  dst.copy_(src.to(dst.dtype()).as_strided(sizes, contiguous_strides(sizes), 0));
}

}  // namespace

FakeQuantResult fused_moving_avg_obs_fake_quant(const Tensor& x, const Tensor& observer_on,
                                                const Tensor& fake_quant_on, FakeQuantState& state,
                                                double averaging_const, int64_t quant_min, int64_t quant_max,
                                                int64_t ch_axis, bool per_row, bool symmetric) {
  const char* op = "_fused_moving_avg_obs_fq_helper";
  PT2RUN_CHECK(x.dtype() == DType::Float32, DTypeMismatch, op, ": needs a float32 input, got ", x.describe());
  PT2RUN_CHECK(ch_axis < x.dim(), InvalidArgument, op, ": ch_axis must be < self.dim()");
  PT2RUN_CHECK(quant_min < quant_max && quant_min >= INT32_MIN && quant_max <= INT32_MAX, InvalidArgument, op,
               ": quant_min ", quant_min, " must be below quant_max ", quant_max);
  const Tensor xc = x.contiguous();
  const int64_t channels = per_row ? x.size(ch_axis) : 1;
  if (per_row && state.running_min.numel() == 0) {
    state.running_min = filled(channels, DType::Float32, std::numeric_limits<float>::infinity());
    state.running_max = filled(channels, DType::Float32, -std::numeric_limits<float>::infinity());
    state.scale = filled(channels, DType::Float32, 0);
    state.zero_point = filled(channels, DType::Int32, 0);
  }
  PT2RUN_CHECK(state.running_min.numel() == channels && state.running_max.numel() == channels &&
                   state.scale.numel() == channels && state.zero_point.numel() == channels,
               ShapeMismatch, op, ": running_min, running_max, scale and zero_point need ", channels, " values each");
  // Rows per channel: the channel dim moved to the front, the rest flattened.
  std::vector<int64_t> perm(static_cast<std::size_t>(x.dim()));
  for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<int64_t>(i);
  if (per_row && x.dim() > 0) std::swap(perm[0], perm[static_cast<std::size_t>(ch_axis)]);
  const Tensor rows = detail::permute(xc, perm).contiguous();
  const int64_t per_channel = channels == 0 ? 0 : rows.numel() / channels;
  Tensor rmin = state.running_min.to(DType::Float32), rmax = state.running_max.to(DType::Float32);
  if (flag(observer_on, "observer_on") == 1 && x.numel() > 0) {
    std::vector<float> lo(static_cast<std::size_t>(channels)), hi(static_cast<std::size_t>(channels));
    for (int64_t c = 0; c < channels; ++c) {
      const float* r = rows.data<float>() + c * per_channel;
      float mn = std::numeric_limits<float>::infinity(), mx = -mn;
      for (int64_t i = 0; i < per_channel; ++i) {
        // aminmax propagates NaN.
        if (std::isnan(r[i]) || std::isnan(mn)) mn = mx = std::numeric_limits<float>::quiet_NaN();
        else {
          mn = std::min(mn, r[i]);
          mx = std::max(mx, r[i]);
        }
      }
      lo[static_cast<std::size_t>(c)] = mn;
      hi[static_cast<std::size_t>(c)] = mx;
    }
    const auto c = static_cast<float>(averaging_const);
    moving_average(rmin.data<float>(), lo.data(), channels, c);
    moving_average(rmax.data<float>(), hi.data(), channels, c);
    write_back(state.running_min, rmin);
    write_back(state.running_max, rmax);
  }
  FakeQuantResult r;
  r.output = detail::empty_like(x, DType::Float32);
  r.mask = detail::empty_like(x, DType::Bool);
  if (flag(fake_quant_on, "fake_quant_on") != 1) {
    r.output.copy_(x);
    Tensor ones = Tensor::empty({}, DType::Bool);
    ones.data<bool>()[0] = true;
    r.mask.copy_(detail::expand_to(ones, x.sizes()));
    return r;
  }
  Tensor scale = Tensor::empty({channels}, DType::Float32), zero_point = Tensor::empty({channels}, DType::Int32);
  for (int64_t c = 0; c < channels; ++c) {
    const QParams q = choose_qparams(rmin.data<float>()[c], rmax.data<float>()[c], static_cast<int32_t>(quant_min),
                                     static_cast<int32_t>(quant_max), symmetric);
    // torch's per-channel fake quantizer refuses such a zero point; the per-tensor one uses it.
    PT2RUN_CHECK(!per_row || (q.zero_point >= quant_min && q.zero_point <= quant_max), InvalidArgument, op,
                 ": `zero_point` must be between `quant_min` and `quant_max` (the observed range [",
                 rmin.data<float>()[c], ", ", rmax.data<float>()[c], "] of channel ", c,
                 " is not finite), as torch refuses it");
    scale.data<float>()[c] = q.scale;
    zero_point.data<int32_t>()[c] = q.zero_point;
  }
  write_back(state.scale, scale);
  write_back(state.zero_point, zero_point);
  // Per row, torch fake-quantizes along dim 0 whatever ch_axis is (its channels are the rows).
  const int64_t outer = per_row && x.dim() > 0 ? x.size(0) : 1;
  PT2RUN_CHECK(!per_row || outer == channels, ShapeMismatch, op,
               ": per-row fake quantization with ch_axis ", ch_axis, " needs dim 0 of ", x.describe(),
               " to have the ", channels, " channels (torch quantizes along dim 0)");
  Tensor out = Tensor::empty(detail::sizes_of(x), DType::Float32), mask = Tensor::empty(detail::sizes_of(x), DType::Bool);
  const int64_t inner = outer == 0 ? 0 : x.numel() / outer;
  const auto qmin = static_cast<float>(quant_min), qmax = static_cast<float>(quant_max);
  for (int64_t o = 0; o < outer; ++o) {
    const float sc = scale.data<float>()[per_row ? o : 0];
    const int64_t zp = zero_point.data<int32_t>()[per_row ? o : 0];
    const float inv_scale = 1.0f / sc;
    for (int64_t i = 0; i < inner; ++i) {
      const float v = xc.data<float>()[o * inner + i];
      // torch's per-tensor kernel clamps the float, so values far outside the range saturate;
      // its per-channel kernel converts to int64 first, where such values (and NaN) become
      // x86's INT64_MIN and so quant_min.
      float q = static_cast<float>(zp) + std::nearbyint(v * inv_scale);
      if (per_row) q = static_cast<float>(detail::truncate_like_x86<int64_t>(q));
      out.data<float>()[o * inner + i] = (std::fmin(qmax, std::fmax(qmin, q)) - static_cast<float>(zp)) * sc;
      mask.data<bool>()[o * inner + i] = qmin <= q && q <= qmax;
    }
  }
  r.output.copy_(out);
  r.mask.copy_(mask);
  return r;
}

}  // namespace pt2run::cpu
