#pragma once

#include <optional>
#include <vector>

#include "pt2run/tensor.h"

namespace pt2run::cpu {

// torch's _upsample_bilinear2d_aa (F.interpolate(mode="bilinear", antialias=True)) on [N, C, H, W]:
// separable triangle-filter resampling whose support widens with the downscale factor, as
// torch's CPU kernel computes its weights. scales (1 / factor, torch's scales_h / scales_w)
// override the size ratio when given and align_corners is false.
Tensor upsample_bilinear2d_aa(const Tensor& input, const std::vector<int64_t>& output_size,
                              bool align_corners, std::optional<double> scale_h,
                              std::optional<double> scale_w);

}  // namespace pt2run::cpu

namespace pt2run::cpu {

// torch.grid_sampler_3d (F.grid_sample on 5-d input): input [N, C, D, H, W] sampled at grid
// [N, D', H', W', 3] (x, y, z in [-1, 1]); interpolation 0 trilinear, 1 nearest (round half to
// even); padding 0 zeros, 1 border, 2 reflection. Contiguous [N, C, D', H', W'] result.
Tensor grid_sampler_3d(const Tensor& input, const Tensor& grid, int64_t interpolation, int64_t padding,
                       bool align_corners);

}  // namespace pt2run::cpu
