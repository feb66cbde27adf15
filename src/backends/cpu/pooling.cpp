#include "backends/cpu/pooling.h"

#include <cmath>
#include <limits>

#include "core/check.h"
#include "core/layout.h"

namespace pt2run::cpu {
namespace {

// The input as planes: [planes, D, H, W] in double (2-d pooling runs as 3-d with D = 1), with
// what is needed to shape the result back.
struct Planes {
  Tensor work;  // contiguous float64 [planes, D, H, W]
  int64_t planes = 0;
  std::vector<int64_t> lead;  // [N, C] or [C]
  int64_t spatial_dims = 0;
  int64_t in[3] = {1, 1, 1};
  const double* data() const { return work.data<double>(); }
};

Planes planes_of(const Tensor& input, int64_t spatial_dims, const char* op) {
  PT2RUN_CHECK(input.device().type == DeviceType::CPU, DeviceMismatch, op, ": needs a CPU tensor, got ",
               input.describe());
  PT2RUN_CHECK(input.dim() == spatial_dims + 1 || input.dim() == spatial_dims + 2, ShapeMismatch, op, ": wants a ",
               spatial_dims + 1, "-d or ", spatial_dims + 2, "-d input, got ", input.describe());
  PT2RUN_CHECK(is_floating_point(input.dtype()) || (std::string_view(op).find("max") != std::string_view::npos &&
                                                    input.dtype() != DType::Bool && !is_complex(input.dtype())),
               DTypeMismatch, op, ": unsupported dtype in ", input.describe());
  Planes p;
  p.spatial_dims = spatial_dims;
  const int64_t lead_dims = input.dim() - spatial_dims;
  p.planes = 1;
  for (int64_t d = 0; d < lead_dims; ++d) {
    p.lead.push_back(input.size(d));
    p.planes *= input.size(d);
  }
  for (int64_t d = 0; d < spatial_dims; ++d) {
    p.in[3 - spatial_dims + d] = input.size(lead_dims + d);
    PT2RUN_CHECK(input.size(lead_dims + d) > 0, ShapeMismatch, op, ": empty spatial dim in ", input.describe());
  }
  p.work = input.to(DType::Float64);
  return p;
}

// Pads a per-spatial-dim list to 3 entries (2-d pooling gets `value` in front).
std::vector<int64_t> as3(const std::vector<int64_t>& v, int64_t value) {
  std::vector<int64_t> out(3 - v.size(), value);
  out.insert(out.end(), v.begin(), v.end());
  return out;
}

// The result tensor [lead..., out...] in `dtype`, written from a contiguous float64 or int64 work.
Tensor shaped(const Tensor& work, const Planes& p, const int64_t* out, DType dtype, bool channels_last) {
  std::vector<int64_t> sizes = p.lead;
  for (int64_t d = 3 - p.spatial_dims; d < 3; ++d) sizes.push_back(out[d]);
  const Tensor view = work.as_strided(sizes, contiguous_strides(sizes), 0);
  Tensor result = channels_last && static_cast<int64_t>(sizes.size()) == p.spatial_dims + 2
                      ? Tensor::empty_strided(sizes, detail::channels_last_strides(sizes), dtype)
                      : Tensor::empty(sizes, dtype);
  result.copy_(view);
  return result;
}

int64_t pooled_size(int64_t in, int64_t k, int64_t pad, int64_t stride, int64_t dilation, bool ceil_mode) {
  const int64_t span = in + 2 * pad - dilation * (k - 1) - 1 + (ceil_mode ? stride - 1 : 0);
  int64_t out = (span >= 0 ? span / stride : -((-span + stride - 1) / stride)) + 1;
  // The last window must start inside the input or its left padding.
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

struct Window3 {
  int64_t k[3], s[3], p[3], d[3], out[3];
};

Window3 window3(const Planes& pl, const PoolWindow& w, const char* op) {
  const auto k = as3(w.kernel, 1), s = as3(w.stride, 1), pad = as3(w.padding, 0),
             dil = as3(w.dilation.empty() ? std::vector<int64_t>(w.kernel.size(), 1) : w.dilation, 1);
  Window3 r{};
  for (int i = 0; i < 3; ++i) {
    r.k[i] = k[static_cast<std::size_t>(i)];
    r.s[i] = s[static_cast<std::size_t>(i)];
    r.p[i] = pad[static_cast<std::size_t>(i)];
    r.d[i] = dil[static_cast<std::size_t>(i)];
    PT2RUN_CHECK(r.k[i] > 0 && r.s[i] > 0 && r.d[i] > 0 && r.p[i] >= 0, InvalidArgument, op,
                 ": kernel, stride and dilation must be positive and padding non-negative");
    PT2RUN_CHECK(r.p[i] <= r.k[i] / 2, InvalidArgument, op, ": padding ", r.p[i],
                 " must be at most half the kernel size ", r.k[i]);
    r.out[i] = pooled_size(pl.in[i], r.k[i], r.p[i], r.s[i], r.d[i], w.ceil_mode);
    PT2RUN_CHECK(r.out[i] > 0, ShapeMismatch, op, ": the window (kernel ", r.k[i], ", padding ", r.p[i],
                 ", dilation ", r.d[i], ") is larger than the input size ", pl.in[i]);
  }
  return r;
}

bool max_wins(double x, double best) { return x > best || std::isnan(x); }

// Maximum over the box [lo, hi) per dim with step; best index flat in the plane.
void box_max(const double* plane, const int64_t* in, const int64_t* lo, const int64_t* hi, const int64_t* step,
             double& best, int64_t& where) {
  best = -std::numeric_limits<double>::infinity();
  where = -1;
  for (int64_t z = lo[0]; z < hi[0]; z += step[0])
    for (int64_t y = lo[1]; y < hi[1]; y += step[1])
      for (int64_t x = lo[2]; x < hi[2]; x += step[2]) {
        const int64_t at = (z * in[1] + y) * in[2] + x;
        // As torch: each NaN replaces the maximum, so the last NaN's index is kept.
        if (where < 0 || max_wins(plane[at], best)) {
          best = plane[at];
          where = at;
        }
      }
}

int64_t plane_size(const int64_t* s) { return s[0] * s[1] * s[2]; }

// Sum over the box [lo, hi) of a [D, H, W] plane with sizes `in`.
double box_sum(const double* plane, const int64_t* in, const int64_t* lo, const int64_t* hi) {
  double sum = 0;
  for (int64_t z = lo[0]; z < hi[0]; ++z)
    for (int64_t y = lo[1]; y < hi[1]; ++y)
      for (int64_t x = lo[2]; x < hi[2]; ++x) sum += plane[(z * in[1] + y) * in[2] + x];
  return sum;
}

}  // namespace

std::vector<int64_t> pool_param(const std::vector<int64_t>& values, int64_t dims, const char* name, const char* op,
                                const std::vector<int64_t>& fallback) {
  if (values.empty() && !fallback.empty()) return fallback;
  PT2RUN_CHECK(values.size() == 1 || static_cast<int64_t>(values.size()) == dims, InvalidArgument, op, ": ", name,
               " must have 1 or ", dims, " entries, got ", values.size());
  return values.size() == 1 ? std::vector<int64_t>(static_cast<std::size_t>(dims), values[0]) : values;
}

PoolResult max_pool(const Tensor& input, int64_t spatial_dims, const PoolWindow& window) {
  const char* op = spatial_dims == 2 ? "max_pool2d" : "max_pool3d";
  const Planes pl = planes_of(input, spatial_dims, op);
  const Window3 w = window3(pl, window, op);
  const int64_t in_plane = plane_size(pl.in), out_plane = plane_size(w.out);
  Tensor values = Tensor::empty({pl.planes * out_plane}, DType::Float64);
  Tensor indices = Tensor::empty({pl.planes * out_plane}, DType::Int64);
  for (int64_t p = 0; p < pl.planes; ++p) {
    const double* plane = pl.data() + p * in_plane;
    for (int64_t o = 0; o < out_plane; ++o) {
      const int64_t oi[3] = {o / (w.out[1] * w.out[2]), (o / w.out[2]) % w.out[1], o % w.out[2]};
      int64_t lo[3], hi[3];
      for (int i = 0; i < 3; ++i) {
        int64_t start = oi[i] * w.s[i] - w.p[i];
        const int64_t end = std::min(start + (w.k[i] - 1) * w.d[i] + 1, pl.in[i]);
        while (start < 0) start += w.d[i];
        lo[i] = start;
        hi[i] = end;
      }
      double best;
      int64_t where;
      box_max(plane, pl.in, lo, hi, w.d, best, where);
      values.data<double>()[p * out_plane + o] = best;
      indices.data<int64_t>()[p * out_plane + o] = where;
    }
  }
  const bool cl = detail::suggests_channels_last(input);
  return {shaped(values, pl, w.out, input.dtype(), cl), shaped(indices, pl, w.out, DType::Int64, cl)};
}

Tensor avg_pool(const Tensor& input, int64_t spatial_dims, const PoolWindow& window, bool count_include_pad,
                const int64_t* divisor_override) {
  const char* op = spatial_dims == 2 ? "avg_pool2d" : "avg_pool3d";
  PT2RUN_CHECK(divisor_override == nullptr || *divisor_override != 0, InvalidArgument, op,
               ": divisor_override must not be zero");
  const Planes pl = planes_of(input, spatial_dims, op);
  const Window3 w = window3(pl, window, op);
  const int64_t in_plane = plane_size(pl.in), out_plane = plane_size(w.out);
  Tensor values = Tensor::empty({pl.planes * out_plane}, DType::Float64);
  for (int64_t p = 0; p < pl.planes; ++p) {
    const double* plane = pl.data() + p * in_plane;
    for (int64_t o = 0; o < out_plane; ++o) {
      const int64_t oi[3] = {o / (w.out[1] * w.out[2]), (o / w.out[2]) % w.out[1], o % w.out[2]};
      int64_t lo[3], hi[3], pool_size = 1, count = 1;
      for (int i = 0; i < 3; ++i) {
        const int64_t start = oi[i] * w.s[i] - w.p[i];
        const int64_t end = std::min(start + w.k[i], pl.in[i] + w.p[i]);
        pool_size *= end - start;
        lo[i] = std::max<int64_t>(start, 0);
        hi[i] = std::min(end, pl.in[i]);
        count *= std::max<int64_t>(hi[i] - lo[i], 0);
      }
      const double sum = box_sum(plane, pl.in, lo, hi);
      const int64_t divide = divisor_override ? *divisor_override : count_include_pad ? pool_size : count;
      values.data<double>()[p * out_plane + o] = count == 0 ? 0.0 : sum / static_cast<double>(divide);
    }
  }
  return shaped(values, pl, w.out, input.dtype(), spatial_dims == 2 && detail::suggests_channels_last(input));
}

namespace {

int64_t adaptive_start(int64_t o, int64_t in, int64_t out) { return (o * in) / out; }
int64_t adaptive_end(int64_t o, int64_t in, int64_t out) { return ((o + 1) * in + out - 1) / out; }

template <class F>
void adaptive_windows(const Planes& pl, const int64_t* out, F f) {
  const int64_t in_plane = plane_size(pl.in), out_plane = plane_size(out);
  for (int64_t p = 0; p < pl.planes; ++p) {
    for (int64_t o = 0; o < out_plane; ++o) {
      const int64_t oi[3] = {o / (out[1] * out[2]), (o / out[2]) % out[1], o % out[2]};
      int64_t lo[3], hi[3];
      for (int i = 0; i < 3; ++i) {
        lo[i] = adaptive_start(oi[i], pl.in[i], out[i]);
        hi[i] = adaptive_end(oi[i], pl.in[i], out[i]);
      }
      f(pl.data() + p * in_plane, lo, hi, p * out_plane + o);
    }
  }
}

std::vector<int64_t> adaptive_out(const Planes& pl, const std::vector<int64_t>& output_size, const char* op,
                                  int64_t* out) {
  PT2RUN_CHECK(static_cast<int64_t>(output_size.size()) == pl.spatial_dims, InvalidArgument, op, ": output_size needs ",
               pl.spatial_dims, " entries, got ", output_size.size());
  const auto o3 = as3(output_size, 1);
  for (int i = 0; i < 3; ++i) {
    out[i] = o3[static_cast<std::size_t>(i)];
    PT2RUN_CHECK(out[i] >= 0, InvalidArgument, op, ": negative output size");
  }
  return o3;
}

}  // namespace

Tensor adaptive_avg_pool(const Tensor& input, const std::vector<int64_t>& output_size) {
  const int64_t dims = static_cast<int64_t>(output_size.size());
  const char* op = dims == 2 ? "adaptive_avg_pool2d" : "adaptive_avg_pool3d";
  const Planes pl = planes_of(input, dims, op);
  int64_t out[3];
  adaptive_out(pl, output_size, op, out);
  Tensor values = Tensor::empty({pl.planes * plane_size(out)}, DType::Float64);
  adaptive_windows(pl, out, [&](const double* plane, const int64_t* lo, const int64_t* hi, int64_t at) {
    values.data<double>()[at] = box_sum(plane, pl.in, lo, hi) / static_cast<double>((hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]));
  });
  return shaped(values, pl, out, input.dtype(), dims == 2 && detail::suggests_channels_last(input));
}

PoolResult adaptive_max_pool(const Tensor& input, const std::vector<int64_t>& output_size) {
  const int64_t dims = static_cast<int64_t>(output_size.size());
  const char* op = dims == 2 ? "adaptive_max_pool2d" : "adaptive_max_pool3d";
  const Planes pl = planes_of(input, dims, op);
  int64_t out[3];
  adaptive_out(pl, output_size, op, out);
  Tensor values = Tensor::empty({pl.planes * plane_size(out)}, DType::Float64);
  Tensor indices = Tensor::empty({pl.planes * plane_size(out)}, DType::Int64);
  const int64_t one[3] = {1, 1, 1};
  adaptive_windows(pl, out, [&](const double* plane, const int64_t* lo, const int64_t* hi, int64_t at) {
    box_max(plane, pl.in, lo, hi, one, values.data<double>()[at], indices.data<int64_t>()[at]);
  });
  const bool cl = dims == 2 && detail::suggests_channels_last(input);
  return {shaped(values, pl, out, input.dtype(), cl), shaped(indices, pl, out, DType::Int64, cl)};
}

PoolResult fractional_max_pool(const Tensor& input, const std::vector<int64_t>& kernel,
                               const std::vector<int64_t>& output_size, const Tensor& random_samples) {
  const int64_t dims = static_cast<int64_t>(output_size.size());
  const char* op = dims == 2 ? "fractional_max_pool2d" : "fractional_max_pool3d";
  const Planes pl = planes_of(input, dims, op);
  PT2RUN_CHECK(static_cast<int64_t>(kernel.size()) == dims, InvalidArgument, op, ": kernel_size needs ", dims,
               " entries");
  int64_t out[3];
  adaptive_out(pl, output_size, op, out);
  const auto k3 = as3(kernel, 1);
  for (int i = 3 - static_cast<int>(dims); i < 3; ++i)
    PT2RUN_CHECK(out[i] + k3[static_cast<std::size_t>(i)] - 1 <= pl.in[i], ShapeMismatch, op, ": output size ",
                 out[i], " with kernel ", k3[static_cast<std::size_t>(i)], " is too large for input size ", pl.in[i]);
  PT2RUN_CHECK(random_samples.dim() == 3 && random_samples.size(2) == dims &&
                   random_samples.size(0) * random_samples.size(1) == pl.planes,
               ShapeMismatch, op, ": random_samples must be [N, C, ", dims, "], got ", random_samples.describe());
  // torch computes the intervals in the input's scalar type: float32 rounding decides where a
  // window starts, so a float32 input gets float32 arithmetic here.
  const bool single = input.dtype() != DType::Float64;
  const Tensor samples = random_samples.to(DType::Float64);
  auto interval = [&](double sample, int64_t in, int64_t o_n, int64_t k, int64_t i) -> int64_t {
    if (i == o_n - 1) return in - k;
    if (single) {
      const float alpha = static_cast<float>(in - k) / static_cast<float>(o_n - 1);
      const auto fs = static_cast<float>(sample);
      return static_cast<int64_t>((static_cast<float>(i) + fs) * alpha) - static_cast<int64_t>(fs * alpha);
    }
    const double alpha = static_cast<double>(in - k) / static_cast<double>(o_n - 1);
    return static_cast<int64_t>((static_cast<double>(i) + sample) * alpha) - static_cast<int64_t>(sample * alpha);
  };
  const int64_t in_plane = plane_size(pl.in), out_plane = plane_size(out);
  Tensor values = Tensor::empty({pl.planes * out_plane}, DType::Float64);
  Tensor indices = Tensor::empty({pl.planes * out_plane}, DType::Int64);
  const int64_t one[3] = {1, 1, 1};
  for (int64_t p = 0; p < pl.planes; ++p) {
    // Samples: 2-d [width, height]; 3-d [time, height, width].
    double s3[3] = {0, 0, 0};
    const double* ps = samples.data<double>() + p * dims;
    if (dims == 2) {
      s3[2] = ps[0];
      s3[1] = ps[1];
    } else {
      s3[0] = ps[0];
      s3[1] = ps[1];
      s3[2] = ps[2];
    }
    for (int64_t o = 0; o < out_plane; ++o) {
      const int64_t oi[3] = {o / (out[1] * out[2]), (o / out[2]) % out[1], o % out[2]};
      int64_t lo[3], hi[3];
      for (int i = 0; i < 3; ++i) {
        const int64_t k = k3[static_cast<std::size_t>(i)];
        lo[i] = (i < 3 - dims) ? 0 : interval(s3[i], pl.in[i], out[i], k, oi[i]);
        hi[i] = lo[i] + k;
      }
      box_max(pl.data() + p * in_plane, pl.in, lo, hi, one, values.data<double>()[p * out_plane + o],
              indices.data<int64_t>()[p * out_plane + o]);
    }
  }
  return {shaped(values, pl, out, input.dtype(), false), shaped(indices, pl, out, DType::Int64, false)};
}

Tensor max_unpool(const Tensor& input, const Tensor& indices, const std::vector<int64_t>& output_size) {
  const int64_t dims = static_cast<int64_t>(output_size.size());
  const char* op = dims == 2 ? "max_unpool2d" : "max_unpool3d";
  PT2RUN_CHECK(indices.dtype() == DType::Int64, DTypeMismatch, op, ": indices must be int64, got ", indices.describe());
  PT2RUN_CHECK(std::equal(input.sizes().begin(), input.sizes().end(), indices.sizes().begin(), indices.sizes().end()),
               ShapeMismatch, op, ": indices ", indices.describe(), " must have the shape of the input ",
               input.describe());
  const Planes pl = planes_of(input, dims, op);
  int64_t out[3];
  adaptive_out(pl, output_size, op, out);
  const int64_t in_plane = plane_size(pl.in), out_plane = plane_size(out);
  const Tensor idx = indices.to(DType::Int64);
  Tensor values = Tensor::zeros({pl.planes * out_plane}, DType::Float64);
  for (int64_t p = 0; p < pl.planes; ++p)
    for (int64_t i = 0; i < in_plane; ++i) {
      const int64_t at = idx.data<int64_t>()[p * in_plane + i];
      PT2RUN_CHECK(at >= 0 && at < out_plane, InvalidArgument, op, ": index ", at, " is outside the output plane of ",
                   out_plane, " elements");
      values.data<double>()[p * out_plane + at] = pl.data()[p * in_plane + i];
    }
  return shaped(values, pl, out, input.dtype(), dims == 2 && detail::suggests_channels_last(input));
}

}  // namespace pt2run::cpu
