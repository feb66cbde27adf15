#include "backends/cpu/selection.h"

#include <cmath>
#include <limits>
#include <vector>

#include "core/check.h"

namespace pt2run::cpu {

Tensor nonzero(const Tensor& input) {
  PT2RUN_CHECK(!is_complex(input.dtype()), NotImplemented, "nonzero of complex tensors");
  Tensor values = input.to(is_floating_point(input.dtype()) ? DType::Float64 : DType::Int64);
  std::vector<int64_t> hits;
  for (int64_t i = 0; i < values.numel(); ++i) {
    const bool nz = values.dtype() == DType::Float64 ? values.data<double>()[i] != 0.0
                                                     : values.data<int64_t>()[i] != 0;
    if (nz) hits.push_back(i);
  }
  const int64_t rank = input.dim();
  const auto count = static_cast<int64_t>(hits.size());
  // Column-major, as torch's CPU kernel returns it (AOTInductor asserts these strides).
  Tensor out = Tensor::empty_strided({count, rank}, {1, count}, DType::Int64);
  for (int64_t h = 0; h < count; ++h) {
    int64_t rest = hits[static_cast<std::size_t>(h)];
    for (int64_t d = rank - 1; d >= 0; --d) {
      out.data<int64_t>()[d * count + h] = rest % input.size(d);
      rest /= input.size(d);
    }
  }
  return out;
}

Tensor histc(const Tensor& input, int64_t bins, double min, double max) {
  PT2RUN_CHECK(bins > 0, InvalidArgument, "histc: bins must be positive, got ", bins);
  PT2RUN_CHECK(is_floating_point(input.dtype()), InvalidArgument, "histc needs a floating-point input, got ",
               input.describe());
  PT2RUN_CHECK(!(min > max), InvalidArgument, "histc: min ", min, " is greater than max ", max);
  Tensor values = input.to(DType::Float64);
  const double* v = values.data<double>();
  if (min == max && values.numel() > 0) {
    min = std::numeric_limits<double>::infinity();
    max = -min;
    for (int64_t i = 0; i < values.numel(); ++i) {
      if (std::isnan(v[i])) continue;
      min = std::min(min, v[i]);
      max = std::max(max, v[i]);
    }
  }
  if (min == max || !std::isfinite(min)) {  // as torch: widen an empty range
    if (!std::isfinite(min)) min = max = 0;
    min -= 1;
    max += 1;
  }
  std::vector<double> counts(static_cast<std::size_t>(bins), 0.0);
  for (int64_t i = 0; i < values.numel(); ++i) {
    if (std::isnan(v[i]) || v[i] < min || v[i] > max) continue;
    auto bin = static_cast<int64_t>((v[i] - min) * static_cast<double>(bins) / (max - min));
    counts[static_cast<std::size_t>(std::min(bin, bins - 1))] += 1;
  }
  Tensor f = Tensor::empty({bins}, DType::Float64);
  std::copy(counts.begin(), counts.end(), f.data<double>());
  Tensor out = Tensor::empty({bins}, input.dtype());
  out.copy_(f);
  return out;
}

}  // namespace pt2run::cpu
