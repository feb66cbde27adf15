#include "backends/cpu/selection.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "core/check.h"
#include "core/layout.h"

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

namespace pt2run::cpu {
namespace {

// The values of any real tensor, flattened in row-major order, as doubles (exact for every
// integer type up to 2^53 and every float type).
std::vector<double> flat_values(const Tensor& input, const char* op) {
  PT2RUN_CHECK(!is_complex(input.dtype()), NotImplemented, op, " of complex tensors");
  Tensor values = input.to(DType::Float64);
  return {values.data<double>(), values.data<double>() + values.numel()};
}

Tensor from_values(const std::vector<double>& values, DType dtype) {
  Tensor f = Tensor::empty({static_cast<int64_t>(values.size())}, DType::Float64);
  std::copy(values.begin(), values.end(), f.data<double>());
  Tensor out = Tensor::empty({static_cast<int64_t>(values.size())}, dtype);
  out.copy_(f);
  return out;
}

Tensor int64_tensor(const std::vector<int64_t>& values, std::vector<int64_t> sizes) {
  Tensor out = Tensor::empty(sizes, DType::Int64);
  std::copy(values.begin(), values.end(), out.data<int64_t>());
  return out;
}

using detail::sizes_of;

// As torch: inverse and counts are empty [0] tensors unless asked for.
UniqueResult unique_result(const Tensor& input, const std::vector<double>& values,
                           const std::vector<int64_t>& inverse, const std::vector<int64_t>& counts,
                           bool return_inverse, bool return_counts) {
  UniqueResult r;
  r.values = from_values(values, input.dtype());
  r.inverse = return_inverse ? int64_tensor(inverse, sizes_of(input)) : Tensor::empty({0}, DType::Int64);
  r.counts = return_counts ? int64_tensor(counts, {static_cast<int64_t>(counts.size())})
                           : Tensor::empty({0}, DType::Int64);
  return r;
}

}  // namespace

UniqueResult unique(const Tensor& input, bool return_inverse, bool return_counts) {
  std::vector<double> v = flat_values(input, "unique");
  std::vector<int64_t> order(v.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return v[a] < v[b]; });
  std::vector<double> distinct;
  std::vector<int64_t> inverse(v.size()), counts;
  for (int64_t i : order) {
    if (distinct.empty() || v[static_cast<std::size_t>(i)] != distinct.back()) {
      distinct.push_back(v[static_cast<std::size_t>(i)]);
      counts.push_back(0);
    }
    inverse[static_cast<std::size_t>(i)] = static_cast<int64_t>(distinct.size()) - 1;
    ++counts.back();
  }
  return unique_result(input, distinct, inverse, counts, return_inverse, return_counts);
}

UniqueResult unique_consecutive(const Tensor& input, bool return_inverse, bool return_counts) {
  std::vector<double> v = flat_values(input, "unique_consecutive");
  std::vector<double> runs;
  std::vector<int64_t> inverse(v.size()), counts;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (runs.empty() || v[i] != runs.back()) {
      runs.push_back(v[i]);
      counts.push_back(0);
    }
    inverse[i] = static_cast<int64_t>(runs.size()) - 1;
    ++counts.back();
  }
  return unique_result(input, runs, inverse, counts, return_inverse, return_counts);
}

Tensor bincount(const Tensor& input, const Tensor* weights, int64_t minlength) {
  PT2RUN_CHECK(input.dim() == 1 && !is_floating_point(input.dtype()) && !is_complex(input.dtype()) &&
                   input.dtype() != DType::Bool,
               InvalidArgument, "bincount needs a 1-D integer tensor, got ", input.describe());
  PT2RUN_CHECK(minlength >= 0, InvalidArgument, "bincount: minlength must be non-negative, got ", minlength);
  std::vector<double> v = flat_values(input, "bincount");
  std::vector<double> w;
  if (weights != nullptr) {
    PT2RUN_CHECK(weights->dim() == 1 && weights->size(0) == input.size(0), ShapeMismatch,
                 "bincount: weights ", weights->describe(), " do not match the input ", input.describe());
    w = flat_values(*weights, "bincount");
  }
  double top = -1;
  for (double x : v) {
    PT2RUN_CHECK(x >= 0, InvalidArgument, "bincount: the input holds a negative value (", x, ")");
    top = std::max(top, x);
  }
  std::vector<double> bins(static_cast<std::size_t>(std::max<int64_t>(static_cast<int64_t>(top) + 1, minlength)), 0.0);
  for (std::size_t i = 0; i < v.size(); ++i) bins[static_cast<std::size_t>(v[i])] += w.empty() ? 1.0 : w[i];
  DType dtype = weights == nullptr ? DType::Int64
                : weights->dtype() == DType::Float32 ? DType::Float32 : DType::Float64;
  return from_values(bins, dtype);
}

Tensor masked_select(const Tensor& input, const Tensor& mask) {
  PT2RUN_CHECK(mask.dtype() == DType::Bool || mask.dtype() == DType::UInt8, DTypeMismatch,
               "masked_select needs a bool mask, got ", mask.describe());
  // Broadcast both to a common shape, as torch does.
  const int64_t rank = std::max(input.dim(), mask.dim());
  std::vector<int64_t> shape(static_cast<std::size_t>(rank));
  for (int64_t d = 0; d < rank; ++d) {
    int64_t a = d - (rank - input.dim()) >= 0 ? input.size(d - (rank - input.dim())) : 1;
    int64_t b = d - (rank - mask.dim()) >= 0 ? mask.size(d - (rank - mask.dim())) : 1;
    PT2RUN_CHECK(a == b || a == 1 || b == 1, ShapeMismatch, "masked_select: mask ", mask.describe(),
                 " does not broadcast with the input ", input.describe());
    shape[static_cast<std::size_t>(d)] = std::max(a, b);
  }
  auto expand = [&](const Tensor& t) {
    std::vector<int64_t> strides(static_cast<std::size_t>(rank), 0);
    for (int64_t d = 0; d < t.dim(); ++d) {
      auto out_d = static_cast<std::size_t>(d + rank - t.dim());
      strides[out_d] = t.size(d) == 1 ? 0 : t.stride(d);
    }
    return t.as_strided(shape, strides, t.storage_offset()).contiguous();
  };
  Tensor values = expand(input);
  Tensor keep = expand(mask).to(DType::UInt8);
  const auto* k = keep.data<uint8_t>();
  int64_t n = 0;
  for (int64_t i = 0; i < keep.numel(); ++i) n += k[i] != 0;
  Tensor out = Tensor::empty({n}, input.dtype());
  const std::size_t size = out.element_size();
  auto* dst = static_cast<char*>(out.data_ptr());
  const auto* src = static_cast<const char*>(values.data_ptr());
  for (int64_t i = 0; i < keep.numel(); ++i) {
    if (k[i] == 0) continue;
    std::memcpy(dst, src + static_cast<std::size_t>(i) * size, size);
    dst += size;
  }
  return out;
}

Tensor repeat_interleave(const Tensor& repeats, const int64_t* output_size) {
  PT2RUN_CHECK(repeats.dim() == 1, InvalidArgument, "repeat_interleave: repeats must be 1-D, got ",
               repeats.describe());
  std::vector<double> r = flat_values(repeats, "repeat_interleave");
  std::vector<int64_t> out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    PT2RUN_CHECK(r[i] >= 0, InvalidArgument, "repeat_interleave: repeats must be non-negative");
    out.insert(out.end(), static_cast<std::size_t>(r[i]), static_cast<int64_t>(i));
  }
  PT2RUN_CHECK(output_size == nullptr || *output_size == static_cast<int64_t>(out.size()),
               InvalidArgument, "repeat_interleave: output_size ", output_size ? *output_size : 0,
               " does not match the sum of repeats ", out.size());
  // torch's result has the repeats' (index) dtype.
  Tensor result = int64_tensor(out, {static_cast<int64_t>(out.size())});
  return repeats.dtype() == DType::Int64 ? result : result.to(repeats.dtype());
}

}  // namespace pt2run::cpu

namespace pt2run::cpu {
namespace {

// Scalar is float for every dtype narrower than double: torch's kernels compute in input_t,
// and the few narrower types are rare enough to share float's rounding.
template <class Scalar>
HistogramResult histogramdd_in(const Tensor& input, const std::vector<int64_t>& bins, const std::vector<double>* range,
                               const Tensor* weight, bool density) {
  const auto dims = static_cast<int64_t>(bins.size());
  const Tensor data = input.to(DType::Float64);
  const int64_t samples = dims == 0 ? 0 : data.numel() / dims;
  const double* x = data.data<double>();
  std::vector<std::vector<Scalar>> edges(bins.size());
  for (int64_t d = 0; d < dims; ++d) {
    Scalar lo, hi;
    if (range != nullptr) {
      lo = static_cast<Scalar>((*range)[static_cast<std::size_t>(2 * d)]);
      hi = static_cast<Scalar>((*range)[static_cast<std::size_t>(2 * d + 1)]);
    } else if (samples == 0) {
      lo = 0;
      hi = 1;
    } else {
      double mn = std::numeric_limits<double>::infinity(), mx = -mn;
      for (int64_t i = 0; i < samples; ++i) {
        mn = std::min(mn, x[i * dims + d]);
        mx = std::max(mx, x[i * dims + d]);
      }
      lo = static_cast<Scalar>(mn);
      hi = static_cast<Scalar>(mx);
    }
    PT2RUN_CHECK(std::isfinite(static_cast<double>(lo)) && std::isfinite(static_cast<double>(hi)), InvalidArgument,
                 "histogram: the range [", static_cast<double>(lo), ", ", static_cast<double>(hi),
                 "] of dim ", d, " is not finite");
    PT2RUN_CHECK(lo <= hi, InvalidArgument, "histogram: range max ", static_cast<double>(hi), " is below min ",
                 static_cast<double>(lo));
    if (lo == hi) {
      lo -= static_cast<Scalar>(0.5);
      hi += static_cast<Scalar>(0.5);
    }
    // torch's linspace: from the start for the first half, from the end for the rest.
    const int64_t steps = bins[static_cast<std::size_t>(d)] + 1;
    const Scalar step = (hi - lo) / static_cast<Scalar>(steps - 1);
    auto& e = edges[static_cast<std::size_t>(d)];
    e.resize(static_cast<std::size_t>(steps));
    for (int64_t i = 0; i < steps; ++i)
      e[static_cast<std::size_t>(i)] = i < steps / 2 ? lo + step * static_cast<Scalar>(i)
                                                     : hi - step * static_cast<Scalar>(steps - 1 - i);
  }
  std::vector<int64_t> hist_sizes(bins.begin(), bins.end());
  Tensor hist = Tensor::zeros(hist_sizes, DType::Float64);
  const Tensor w = weight ? weight->to(DType::Float64) : Tensor();
  if (weight)
    PT2RUN_CHECK(weight->numel() == samples, ShapeMismatch, "histogram: weight ", weight->describe(), " needs one ",
                 "value per sample (", samples, ")");
  for (int64_t i = 0; i < samples; ++i) {
    int64_t flat = 0;
    bool skip = false;
    for (int64_t d = 0; d < dims && !skip; ++d) {
      const auto& e = edges[static_cast<std::size_t>(d)];
      const auto n_edges = static_cast<int64_t>(e.size());
      const auto v = static_cast<Scalar>(x[i * dims + d]);
      if (!(v >= e.front() && v <= e.back())) {
        skip = true;
        break;
      }
      // Linear interpolation, corrected against the neighbouring edges.
      int64_t pos = static_cast<int64_t>((v - e.front()) * static_cast<Scalar>(n_edges - 1) / (e.back() - e.front()));
      const int64_t pos_min = std::max<int64_t>(0, pos - 1), pos_max = std::min<int64_t>(pos + 2, n_edges);
      pos = std::upper_bound(e.begin() + pos_min, e.begin() + pos_max, v) - e.begin() - 1;
      if (pos == n_edges - 1) pos -= 1;
      flat = flat * (n_edges - 1) + pos;
    }
    if (!skip) hist.data<double>()[flat] += weight ? w.data<double>()[i] : 1.0;
  }
  if (density) {
    double total = 0;
    for (int64_t i = 0; i < hist.numel(); ++i) total += hist.data<double>()[i];
    for (int64_t i = 0; i < hist.numel(); ++i) {
      double volume = 1;
      int64_t rest = i;
      for (int64_t d = dims - 1; d >= 0; --d) {
        const auto& e = edges[static_cast<std::size_t>(d)];
        const int64_t b = rest % bins[static_cast<std::size_t>(d)];
        rest /= bins[static_cast<std::size_t>(d)];
        volume *= static_cast<double>(e[static_cast<std::size_t>(b + 1)] - e[static_cast<std::size_t>(b)]);
      }
      hist.data<double>()[i] /= total * volume;
    }
  }
  HistogramResult r;
  r.hist = hist.to(input.dtype());
  for (const auto& e : edges) {
    Tensor t = Tensor::empty({static_cast<int64_t>(e.size())}, DType::Float64);
    for (std::size_t i = 0; i < e.size(); ++i) t.data<double>()[i] = static_cast<double>(e[i]);
    r.edges.push_back(t.to(input.dtype()));
  }
  return r;
}

}  // namespace

HistogramResult histogramdd(const Tensor& input, const std::vector<int64_t>& bins, const std::vector<double>* range,
                            const Tensor* weight, bool density) {
  PT2RUN_CHECK(is_floating_point(input.dtype()), DTypeMismatch, "histogram needs a floating-point input, got ",
               input.describe());
  PT2RUN_CHECK(!bins.empty() && bins.size() <= 16, InvalidArgument, "histogram: want 1 to 16 dims of bins, got ",
               bins.size());
  for (int64_t b : bins) PT2RUN_CHECK(b > 0, InvalidArgument, "histogram: bins must be positive, got ", b);
  PT2RUN_CHECK(range == nullptr || range->size() == 2 * bins.size(), InvalidArgument, "histogram: range needs ",
               2 * bins.size(), " values, got ", range ? range->size() : 0);
  PT2RUN_CHECK(weight == nullptr || weight->dtype() == input.dtype(), DTypeMismatch, "histogram: weight ",
               weight ? weight->describe() : "", " needs the input's dtype");
  const auto dims = static_cast<int64_t>(bins.size());
  PT2RUN_CHECK(dims == 1 || (input.dim() >= 1 && input.size(input.dim() - 1) == dims), ShapeMismatch,
               "histogramdd: input ", input.describe(), " needs its last dim to be ", dims);
  if (input.dtype() == DType::Float64) return histogramdd_in<double>(input, bins, range, weight, density);
  return histogramdd_in<float>(input, bins, range, weight, density);
}

}  // namespace pt2run::cpu
