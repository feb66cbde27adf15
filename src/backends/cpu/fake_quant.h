#pragma once

// Quantization-aware training's fused observer and fake quantizer
// (torch._fused_moving_avg_obs_fq_helper), as an inference graph of a QAT-prepared model that
// was not converted still calls it: a moving-average min/max observer (when observer_on),
// the quantization parameters from the running range (torch's choose_qparams), and fake
// quantization with its mask (when fake_quant_on). Computed in float32 in torch's order of
// operations.

#include "pt2run/tensor.h"

namespace pt2run::cpu {

struct FakeQuantState {
  Tensor running_min, running_max, scale, zero_point;  // updated in place (and grown per row)
};

struct FakeQuantResult {
  Tensor output, mask;
};

FakeQuantResult fused_moving_avg_obs_fake_quant(const Tensor& x, const Tensor& observer_on,
                                                const Tensor& fake_quant_on, FakeQuantState& state,
                                                double averaging_const, int64_t quant_min, int64_t quant_max,
                                                int64_t ch_axis, bool per_row, bool symmetric);

}  // namespace pt2run::cpu
