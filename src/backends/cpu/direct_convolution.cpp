#include "backends/cpu/direct_convolution.h"

#include <array>
#include <vector>

namespace pt2run::cpu {
namespace {

// Sizes padded to 3 spatial dims (missing ones of size 1) so one loop nest serves 1-d to 3-d.
std::array<int64_t, 3> spatial3(const std::vector<int64_t>& sizes, int64_t fill) {
  std::array<int64_t, 3> r{fill, fill, fill};
  const std::size_t n = sizes.size() - 2;
  for (std::size_t i = 0; i < n; ++i) r[3 - n + i] = sizes[2 + i];
  return r;
}

std::array<int64_t, 3> param3(const std::vector<int64_t>& v, int64_t fill) {
  std::array<int64_t, 3> r{fill, fill, fill};
  for (std::size_t i = 0; i < v.size(); ++i) r[3 - v.size() + i] = v[i];
  return r;
}

}  // namespace

void direct_convolution(const Tensor& input, const Tensor& weight, const Tensor* bias,
                        const detail::ConvolutionParams& p, const Tensor& out) {
  const std::vector<int64_t> in_sizes(input.sizes().begin(), input.sizes().end());
  const std::vector<int64_t> w_sizes(weight.sizes().begin(), weight.sizes().end());
  const std::vector<int64_t> out_sizes(out.sizes().begin(), out.sizes().end());
  const Tensor x = input.to(DType::Float64), w = weight.to(DType::Float64);
  const Tensor b = bias ? bias->to(DType::Float64) : Tensor();
  Tensor y = Tensor::zeros(out_sizes, DType::Float64);
  const int64_t batch = in_sizes[0], in_c = in_sizes[1], out_c = out_sizes[1], groups = p.groups;
  const auto is = spatial3(in_sizes, 1), ks = spatial3(w_sizes, 1), os = spatial3(out_sizes, 1);
  const auto stride = param3(p.stride, 1), pad = param3(p.padding, 0), dil = param3(p.dilation, 1);
  const int64_t in_cg = in_c / groups, out_cg = out_c / groups;
  const int64_t in_plane = is[0] * is[1] * is[2], out_plane = os[0] * os[1] * os[2];
  const int64_t k_plane = ks[0] * ks[1] * ks[2];
  const double* xd = x.data<double>();
  const double* wd = w.data<double>();
  double* yd = y.data<double>();
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t oc = 0; oc < out_c; ++oc) {
      const int64_t g = oc / out_cg;
      double* yp = yd + (n * out_c + oc) * out_plane;
      if (bias)
        for (int64_t o = 0; o < out_plane; ++o) yp[o] = b.data<double>()[oc];
      for (int64_t icg = 0; icg < in_cg; ++icg) {
        const int64_t ic = g * in_cg + icg;
        const double* xp = xd + (n * in_c + ic) * in_plane;
        // Weight [out_c, in_c / groups, *k]; transposed: [in_c, out_c / groups, *k].
        const double* wp = p.transposed ? wd + (ic * out_cg + (oc - g * out_cg)) * k_plane
                                        : wd + (oc * in_cg + icg) * k_plane;
        for (int64_t k0 = 0; k0 < ks[0]; ++k0)
          for (int64_t k1 = 0; k1 < ks[1]; ++k1)
            for (int64_t k2 = 0; k2 < ks[2]; ++k2) {
              const double wv = wp[(k0 * ks[1] + k1) * ks[2] + k2];
              if (!p.transposed) {
                // y[o] += x[o * stride - pad + k * dil] * w[k]
                for (int64_t o0 = 0; o0 < os[0]; ++o0) {
                  const int64_t i0 = o0 * stride[0] - pad[0] + k0 * dil[0];
                  if (i0 < 0 || i0 >= is[0]) continue;
                  for (int64_t o1 = 0; o1 < os[1]; ++o1) {
                    const int64_t i1 = o1 * stride[1] - pad[1] + k1 * dil[1];
                    if (i1 < 0 || i1 >= is[1]) continue;
                    for (int64_t o2 = 0; o2 < os[2]; ++o2) {
                      const int64_t i2 = o2 * stride[2] - pad[2] + k2 * dil[2];
                      if (i2 < 0 || i2 >= is[2]) continue;
                      yp[(o0 * os[1] + o1) * os[2] + o2] += wv * xp[(i0 * is[1] + i1) * is[2] + i2];
                    }
                  }
                }
              } else {
                // The adjoint: y[i * stride - pad + k * dil] += x[i] * w[k]
                for (int64_t i0 = 0; i0 < is[0]; ++i0) {
                  const int64_t o0 = i0 * stride[0] - pad[0] + k0 * dil[0];
                  if (o0 < 0 || o0 >= os[0]) continue;
                  for (int64_t i1 = 0; i1 < is[1]; ++i1) {
                    const int64_t o1 = i1 * stride[1] - pad[1] + k1 * dil[1];
                    if (o1 < 0 || o1 >= os[1]) continue;
                    for (int64_t i2 = 0; i2 < is[2]; ++i2) {
                      const int64_t o2 = i2 * stride[2] - pad[2] + k2 * dil[2];
                      if (o2 < 0 || o2 >= os[2]) continue;
                      yp[(o0 * os[1] + o1) * os[2] + o2] += wv * xp[(i0 * is[1] + i1) * is[2] + i2];
                    }
                  }
                }
              }
            }
      }
    }
  }
  Tensor o = out;
  o.copy_(y);
}

}  // namespace pt2run::cpu
