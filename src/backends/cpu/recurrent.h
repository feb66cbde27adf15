#pragma once

#include "pt2run/tensor.h"

namespace pt2run::cpu {

// One direction of one LSTM layer, as aten::mkldnn_rnn_layer computes it (torch emits it for
// nn.LSTM on CPU): input [T, B, I] (or [B, T, I] with batch_first), w_ih [4H, I], w_hh [4H, H],
// biases [4H] (null without), h0 and c0 holding B x H values. Gates in torch's order i, f, g, o;
// reverse walks time backwards. float32 math on OpenBLAS.
struct LstmResult {
  Tensor output;  // [T, B, H] (or [B, T, H]), input's dtype
  Tensor hy, cy;  // h0's / c0's sizes
};
LstmResult lstm_layer(const Tensor& input, const Tensor& w_ih, const Tensor& w_hh, const Tensor* b_ih,
                      const Tensor* b_hh, const Tensor& h0, const Tensor& c0, bool reverse,
                      bool batch_first);

}  // namespace pt2run::cpu
