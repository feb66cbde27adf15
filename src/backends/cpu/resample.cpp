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

namespace pt2run::cpu {
namespace {

double unnormalize(double coord, int64_t size, bool align_corners) {
  return align_corners ? (coord + 1) / 2 * static_cast<double>(size - 1)
                       : ((coord + 1) * static_cast<double>(size) - 1) / 2;
}

double clip(double x, int64_t size) { return std::min(static_cast<double>(size - 1), std::max(x, 0.0)); }

double reflect(double x, double twice_low, double twice_high) {
  if (twice_low == twice_high) return 0;
  const double low = twice_low / 2, span = (twice_high - twice_low) / 2;
  x = std::fabs(x - low);
  const double extra = std::fmod(x, span);
  const auto flips = static_cast<int64_t>(std::floor(x / span));
  return flips % 2 == 0 ? extra + low : span - extra + low;
}

// torch's grid_sampler_compute_source_index.
double source_index(double coord, int64_t size, int64_t padding, bool align_corners) {
  double x = unnormalize(coord, size, align_corners);
  if (padding == 1) {
    x = clip(x, size);
  } else if (padding == 2) {
    x = align_corners ? reflect(x, 0, 2.0 * static_cast<double>(size - 1))
                      : reflect(x, -1, 2.0 * static_cast<double>(size) - 1);
    x = clip(x, size);
  }
  // Far outside (or not finite): a position no corner of which is inside.
  if (!std::isfinite(x) || x > 1e15 || x < -1e15) return -100;
  return x;
}

}  // namespace

Tensor grid_sampler_3d(const Tensor& input, const Tensor& grid, int64_t interpolation, int64_t padding,
                       bool align_corners) {
  PT2RUN_CHECK(input.dim() == 5 && grid.dim() == 5 && grid.size(4) == 3 && grid.size(0) == input.size(0),
               ShapeMismatch, "grid_sampler_3d: wants input [N, C, D, H, W] and grid [N, D, H, W, 3], got ",
               input.describe(), " and ", grid.describe());
  PT2RUN_CHECK(is_floating_point(input.dtype()) && grid.dtype() == input.dtype(), DTypeMismatch,
               "grid_sampler_3d: input and grid need one floating dtype, got ", input.describe(), " and ",
               grid.describe());
  PT2RUN_CHECK(interpolation == 0 || interpolation == 1, InvalidArgument, "grid_sampler_3d: interpolation ",
               interpolation, " is not supported (0 bilinear, 1 nearest; torch has no bicubic in 3-d)");
  PT2RUN_CHECK(padding >= 0 && padding <= 2, InvalidArgument, "grid_sampler_3d: padding mode ", padding,
               " is not one of 0 zeros, 1 border, 2 reflection");
  const int64_t n = input.size(0), c = input.size(1), id = input.size(2), ih = input.size(3), iw = input.size(4);
  const int64_t od = grid.size(1), oh = grid.size(2), ow = grid.size(3);
  const Tensor in = input.to(DType::Float64), g = grid.to(DType::Float64);
  Tensor out = Tensor::empty({n, c, od, oh, ow}, DType::Float64);
  const double* x = in.data<double>();
  double* o = out.data<double>();
  const int64_t plane = id * ih * iw, out_plane = od * oh * ow;
  auto value = [&](int64_t b, int64_t ch, int64_t z, int64_t y, int64_t xx) {
    if (z < 0 || z >= id || y < 0 || y >= ih || xx < 0 || xx >= iw) return 0.0;
    return x[(b * c + ch) * plane + (z * ih + y) * iw + xx];
  };
  for (int64_t b = 0; b < n; ++b)
    for (int64_t p = 0; p < out_plane; ++p) {
      const double* gp = g.data<double>() + (b * out_plane + p) * 3;
      const double sx = source_index(gp[0], iw, padding, align_corners);
      const double sy = source_index(gp[1], ih, padding, align_corners);
      const double sz = source_index(gp[2], id, padding, align_corners);
      for (int64_t ch = 0; ch < c; ++ch) {
        double v = 0;
        if (interpolation == 1) {
          v = value(b, ch, static_cast<int64_t>(std::nearbyint(sz)), static_cast<int64_t>(std::nearbyint(sy)),
                    static_cast<int64_t>(std::nearbyint(sx)));
        } else {
          const auto x0 = static_cast<int64_t>(std::floor(sx)), y0 = static_cast<int64_t>(std::floor(sy)),
                     z0 = static_cast<int64_t>(std::floor(sz));
          const double fx = sx - static_cast<double>(x0), fy = sy - static_cast<double>(y0),
                       fz = sz - static_cast<double>(z0);
          for (int dz = 0; dz < 2; ++dz)
            for (int dy = 0; dy < 2; ++dy)
              for (int dx = 0; dx < 2; ++dx) {
                const double w = (dz ? fz : 1 - fz) * (dy ? fy : 1 - fy) * (dx ? fx : 1 - fx);
                v += w * value(b, ch, z0 + dz, y0 + dy, x0 + dx);
              }
        }
        o[(b * c + ch) * out_plane + p] = v;
      }
    }
  return out.to(input.dtype());
}

}  // namespace pt2run::cpu
