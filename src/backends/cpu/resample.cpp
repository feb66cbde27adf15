#include "backends/cpu/resample.h"

#include <algorithm>
#include <cmath>

#include "backends/cpu/dim_lines.h"
#include "core/check.h"

namespace pt2run::cpu {
namespace {

// The input pixels and normalized weights that make output pixel i along one axis.
struct Taps {
  std::vector<int64_t> first;
  std::vector<std::vector<double>> weights;
};

Taps antialias_taps(int64_t in, int64_t out, bool align_corners, std::optional<double> given_scale) {
  double scale;
  if (align_corners) scale = out > 1 ? static_cast<double>(in - 1) / static_cast<double>(out - 1) : 0.0;
  else scale = given_scale && *given_scale > 0 ? 1.0 / *given_scale : static_cast<double>(in) / static_cast<double>(out);
  const double support = scale >= 1.0 ? scale : 1.0;  // bilinear: half of 2 taps, widened
  const double invscale = scale >= 1.0 ? 1.0 / scale : 1.0;
  Taps taps;
  for (int64_t i = 0; i < out; ++i) {
    const double center = scale * (static_cast<double>(i) + 0.5);
    const int64_t lo = std::max<int64_t>(static_cast<int64_t>(center - support + 0.5), 0);
    const int64_t hi = std::min<int64_t>(static_cast<int64_t>(center + support + 0.5), in);
    std::vector<double> w;
    double total = 0;
    for (int64_t j = lo; j < hi; ++j) {
      const double x = std::abs((static_cast<double>(j) - center + 0.5) * invscale);
      w.push_back(x < 1.0 ? 1.0 - x : 0.0);
      total += w.back();
    }
    if (total != 0)
      for (double& v : w) v /= total;
    taps.first.push_back(lo);
    taps.weights.push_back(std::move(w));
  }
  return taps;
}

}  // namespace

Tensor upsample_bilinear2d_aa(const Tensor& input, const std::vector<int64_t>& output_size,
                              bool align_corners, std::optional<double> scale_h,
                              std::optional<double> scale_w) {
  PT2RUN_CHECK(input.dim() == 4 && output_size.size() == 2 && output_size[0] > 0 && output_size[1] > 0,
               InvalidArgument, "_upsample_bilinear2d_aa needs [N, C, H, W] and two positive sizes, got ",
               input.describe());
  PT2RUN_CHECK(is_floating_point(input.dtype()), DTypeMismatch,
               "_upsample_bilinear2d_aa needs a floating-point input, got ", input.describe());
  const int64_t planes = input.size(0) * input.size(1), h = input.size(2), w = input.size(3);
  const int64_t oh = output_size[0], ow = output_size[1];
  const Taps ty = antialias_taps(h, oh, align_corners, scale_h);
  const Taps tx = antialias_taps(w, ow, align_corners, scale_w);
  Tensor src = input.to(DType::Float64);
  std::vector<double> rows(static_cast<std::size_t>(h * ow));
  Tensor out = Tensor::empty({input.size(0), input.size(1), oh, ow}, DType::Float64);
  for (int64_t p = 0; p < planes; ++p) {
    const double* in = src.data<double>() + p * h * w;
    for (int64_t y = 0; y < h; ++y) {  // width first, as torch
      for (int64_t x = 0; x < ow; ++x) {
        double acc = 0;
        const auto& wt = tx.weights[static_cast<std::size_t>(x)];
        for (std::size_t k = 0; k < wt.size(); ++k)
          acc += wt[k] * in[y * w + tx.first[static_cast<std::size_t>(x)] + static_cast<int64_t>(k)];
        rows[static_cast<std::size_t>(y * ow + x)] = acc;
      }
    }
    double* o = out.data<double>() + p * oh * ow;
    for (int64_t y = 0; y < oh; ++y) {
      const auto& wt = ty.weights[static_cast<std::size_t>(y)];
      for (int64_t x = 0; x < ow; ++x) {
        double acc = 0;
        for (std::size_t k = 0; k < wt.size(); ++k)
          acc += wt[k] * rows[static_cast<std::size_t>((ty.first[static_cast<std::size_t>(y)] + static_cast<int64_t>(k)) * ow + x)];
        o[y * ow + x] = acc;
      }
    }
  }
  return out.to(input.dtype());
}

}  // namespace pt2run::cpu
