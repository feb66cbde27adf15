#include "backends/cpu/recurrent.h"

#include <cmath>
#include <vector>

#include "backends/cpu/blas.h"
#include "backends/cpu/dim_lines.h"
#include "core/check.h"

namespace pt2run::cpu {
namespace {

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

}  // namespace

LstmResult lstm_layer(const Tensor& input, const Tensor& w_ih, const Tensor& w_hh, const Tensor* b_ih,
                      const Tensor* b_hh, const Tensor& h0, const Tensor& c0, bool reverse,
                      bool batch_first) {
  PT2RUN_CHECK(input.dim() == 3 && w_ih.dim() == 2 && w_hh.dim() == 2, InvalidArgument,
               "LSTM layer: input must be 3-D and weights 2-D, got ", input.describe(), ", ",
               w_ih.describe(), ", ", w_hh.describe());
  const int64_t steps = input.size(batch_first ? 1 : 0), batch = input.size(batch_first ? 0 : 1);
  const int64_t in = input.size(2), hidden = w_hh.size(1), gates = 4 * hidden;
  PT2RUN_CHECK(w_ih.size(0) == gates && w_ih.size(1) == in && w_hh.size(0) == gates &&
                   h0.numel() == batch * hidden && c0.numel() == batch * hidden,
               ShapeMismatch, "LSTM layer: weights ", w_ih.describe(), ", ", w_hh.describe(),
               " and states ", h0.describe(), ", ", c0.describe(), " do not fit input ",
               input.describe());
  // Time-major float32 working copies.
  Tensor x = input.to(DType::Float32);
  if (batch_first)
    x = x.as_strided({steps, batch, in}, {in, steps * in, 1}, 0).contiguous();
  Tensor wi = w_ih.to(DType::Float32), wh = w_hh.to(DType::Float32);
  std::vector<float> bias(static_cast<std::size_t>(gates), 0.0f);
  for (const Tensor* b : {b_ih, b_hh}) {
    if (b == nullptr || !b->defined()) continue;
    PT2RUN_CHECK(b->numel() == gates, ShapeMismatch, "LSTM layer: bias ", b->describe(),
                 " needs ", gates, " values");
    Tensor bf = b->to(DType::Float32);
    for (int64_t g = 0; g < gates; ++g) bias[static_cast<std::size_t>(g)] += bf.data<float>()[g];
  }
  // All input projections at once: [T * B, 4H] = x @ w_ih^T.
  std::vector<float> proj(static_cast<std::size_t>(steps * batch * gates));
  if (steps * batch > 0)
    blas::gemm(false, true, steps * batch, gates, in, 1.0f, x.data<float>(), in, wi.data<float>(),
               in, 0.0f, proj.data(), gates);
  Tensor hf = h0.to(DType::Float32), cf = c0.to(DType::Float32);
  std::vector<float> h(hf.data<float>(), hf.data<float>() + batch * hidden);
  std::vector<float> c(cf.data<float>(), cf.data<float>() + batch * hidden);
  std::vector<float> step_gates(static_cast<std::size_t>(batch * gates));
  Tensor out = Tensor::empty({steps, batch, hidden}, DType::Float32);
  for (int64_t s = 0; s < steps; ++s) {
    const int64_t t = reverse ? steps - 1 - s : s;
    std::copy_n(proj.data() + t * batch * gates, batch * gates, step_gates.data());
    blas::gemm(false, true, batch, gates, hidden, 1.0f, h.data(), hidden, wh.data<float>(), hidden,
               1.0f, step_gates.data(), gates);
    for (int64_t b = 0; b < batch; ++b) {
      const float* g = step_gates.data() + b * gates;
      for (int64_t j = 0; j < hidden; ++j) {
        const auto k = static_cast<std::size_t>(j);
        const float i_gate = sigmoid(g[j] + bias[k]);
        const float f_gate = sigmoid(g[hidden + j] + bias[k + static_cast<std::size_t>(hidden)]);
        const float g_gate = std::tanh(g[2 * hidden + j] + bias[k + 2 * static_cast<std::size_t>(hidden)]);
        const float o_gate = sigmoid(g[3 * hidden + j] + bias[k + 3 * static_cast<std::size_t>(hidden)]);
        float& cell = c[static_cast<std::size_t>(b * hidden + j)];
        cell = f_gate * cell + i_gate * g_gate;
        h[static_cast<std::size_t>(b * hidden + j)] = o_gate * std::tanh(cell);
      }
    }
    std::copy(h.begin(), h.end(), out.data<float>() + t * batch * hidden);
  }
  LstmResult r;
  if (batch_first) out = out.as_strided({batch, steps, hidden}, {hidden, batch * hidden, 1}, 0).contiguous();
  r.output = input.dtype() == DType::Float32 ? out : out.to(input.dtype());
  r.hy = Tensor::empty(sizes_vector(h0), h0.dtype());
  r.cy = Tensor::empty(sizes_vector(c0), c0.dtype());
  Tensor hv = Tensor::empty(sizes_vector(h0), DType::Float32), cv = Tensor::empty(sizes_vector(c0), DType::Float32);
  std::copy(h.begin(), h.end(), hv.data<float>());
  std::copy(c.begin(), c.end(), cv.data<float>());
  r.hy.copy_(hv);
  r.cy.copy_(cv);
  return r;
}

}  // namespace pt2run::cpu
