#include "backends/cpu/fft.h"

#include <algorithm>

#include <kissfft/kissfft.hh>

#include <cmath>
#include <complex>

#include "core/check.h"
#include "core/layout.h"

namespace pt2run::cpu {
namespace {

using Complex = std::complex<double>;

// A contiguous complex128 working copy with its shape.
struct Signal {
  std::vector<int64_t> sizes;
  std::vector<Complex> data;

  int64_t stride(std::size_t d) const {
    int64_t s = 1;
    for (std::size_t k = d + 1; k < sizes.size(); ++k) s *= sizes[k];
    return s;
  }
};

using detail::sizes_of;

std::vector<std::size_t> normalize_dims(const std::vector<int64_t>& dims, int64_t rank, const char* op) {
  std::vector<std::size_t> out;
  for (int64_t d : dims) {
    int64_t w = d < 0 ? d + rank : d;
    PT2RUN_CHECK(w >= 0 && w < rank, InvalidArgument, op, ": dim ", d, " is out of range for rank ", rank);
    out.push_back(static_cast<std::size_t>(w));
  }
  PT2RUN_CHECK(!out.empty(), InvalidArgument, op, ": no dims to transform");
  return out;
}

Signal to_signal(const Tensor& input) {
  Signal s;
  s.sizes = sizes_of(input);
  s.data.resize(static_cast<std::size_t>(input.numel()));
  if (is_complex(input.dtype())) {
    Tensor c = input.to(DType::Complex128);
    const auto* p = c.data<Complex>();
    std::copy(p, p + c.numel(), s.data.begin());
  } else {
    Tensor r = input.to(DType::Float64);
    const auto* p = r.data<double>();
    for (int64_t i = 0; i < r.numel(); ++i) s.data[static_cast<std::size_t>(i)] = {p[i], 0.0};
  }
  return s;
}

// In-place 1-D transforms along dim d of every line.
void transform_dim(Signal& s, std::size_t d, bool forward) {
  const int64_t n = s.sizes[d];
  if (n <= 1) return;
  kissfft<double> fft(static_cast<std::size_t>(n), /*inverse=*/!forward);
  const int64_t stride = s.stride(d);
  const int64_t lines = static_cast<int64_t>(s.data.size()) / n;
  std::vector<Complex> in(static_cast<std::size_t>(n)), out(static_cast<std::size_t>(n));
  for (int64_t line = 0; line < lines; ++line) {
    const int64_t outer = line / stride, inner = line % stride;
    Complex* base = s.data.data() + outer * n * stride + inner;
    for (int64_t k = 0; k < n; ++k) in[static_cast<std::size_t>(k)] = base[k * stride];
    fft.transform(in.data(), out.data());
    for (int64_t k = 0; k < n; ++k) base[k * stride] = out[static_cast<std::size_t>(k)];
  }
}

double scale(int64_t normalization, double points) {
  switch (normalization) {
    case 0: return 1.0;
    case 1: return 1.0 / std::sqrt(points);
    case 2: return 1.0 / points;
    default: detail::fail(ErrorCode::InvalidArgument, "fft: unknown normalization mode ", normalization);
  }
}

DType complex_for(DType dtype) {
  return dtype == DType::Float32 || dtype == DType::Complex64 || dtype == DType::Float16 ||
                 dtype == DType::BFloat16
             ? DType::Complex64
             : DType::Complex128;
}

Tensor complex_tensor(const Signal& s, DType dtype) {
  Tensor c = Tensor::empty(s.sizes, DType::Complex128);
  std::copy(s.data.begin(), s.data.end(), c.data<Complex>());
  return dtype == DType::Complex128 ? c : c.to(dtype);
}

// The strides torch's CPU FFT gives its result: the untransformed dims first, in the input's
// stride order, then the transformed ones (c2c: by input stride; r2c: the halved last dim
// kept last), dense in that order.
std::vector<int64_t> fft_output_strides(const std::vector<int64_t>& in_strides, std::vector<int64_t> dims,
                                        const std::vector<int64_t>& out_sizes, bool keep_last) {
  const auto rank = static_cast<int64_t>(in_strides.size());
  auto stride = [&](int64_t d) { return in_strides[static_cast<std::size_t>(d)]; };
  auto by_stride = [&](int64_t a, int64_t b) { return stride(a) > stride(b); };
  if (keep_last && !dims.empty()) std::sort(dims.begin(), dims.end() - 1, by_stride);
  else std::sort(dims.begin(), dims.end(), by_stride);
  std::vector<int64_t> order;
  for (int64_t d = 0; d < rank; ++d)
    if (std::find(dims.begin(), dims.end(), d) == dims.end()) order.push_back(d);
  std::stable_sort(order.begin(), order.end(), by_stride);
  order.insert(order.end(), dims.begin(), dims.end());
  std::vector<int64_t> strides(static_cast<std::size_t>(rank));
  int64_t acc = 1;
  for (std::size_t i = order.size(); i-- > 0;) {
    strides[static_cast<std::size_t>(order[i])] = acc;
    acc *= std::max<int64_t>(out_sizes[static_cast<std::size_t>(order[i])], 1);
  }
  return strides;
}

std::vector<int64_t> fft_output_strides(const Tensor& input, std::vector<int64_t> dims,
                                        const std::vector<int64_t>& out_sizes, bool keep_last) {
  return fft_output_strides({input.strides().begin(), input.strides().end()}, std::move(dims), out_sizes, keep_last);
}

Tensor laid_out(const Tensor& contiguous_result, const std::vector<int64_t>& strides) {
  const std::vector<int64_t> sizes(contiguous_result.sizes().begin(), contiguous_result.sizes().end());
  if (contiguous_result.is_contiguous() && strides == contiguous_strides(sizes)) return contiguous_result;
  Tensor out = Tensor::empty_strided(sizes, strides, contiguous_result.dtype());
  out.copy_(contiguous_result);
  return out;
}

}  // namespace

Tensor fft_c2c(const Tensor& input, const std::vector<int64_t>& dims, int64_t normalization,
               bool forward) {
  PT2RUN_CHECK(is_complex(input.dtype()), DTypeMismatch, "_fft_c2c needs a complex input, got ",
               input.describe());
  auto ds = normalize_dims(dims, input.dim(), "_fft_c2c");
  Signal s = to_signal(input);
  double points = 1;
  for (auto d : ds) {
    transform_dim(s, d, forward);
    points *= static_cast<double>(s.sizes[d]);
  }
  const double f = scale(normalization, points);
  if (f != 1.0)
    for (auto& z : s.data) z *= f;
  const std::vector<int64_t> given(ds.begin(), ds.end());
  return laid_out(complex_tensor(s, complex_for(input.dtype())), fft_output_strides(input, given, s.sizes, false));
}

Tensor fft_r2c(const Tensor& input, const std::vector<int64_t>& dims, int64_t normalization,
               bool onesided) {
  PT2RUN_CHECK(is_floating_point(input.dtype()), DTypeMismatch,
               "_fft_r2c needs a floating-point input, got ", input.describe());
  auto ds = normalize_dims(dims, input.dim(), "_fft_r2c");
  Signal s = to_signal(input);
  double points = 1;
  for (auto d : ds) {
    transform_dim(s, d, /*forward=*/true);
    points *= static_cast<double>(s.sizes[d]);
  }
  const double f = scale(normalization, points);
  if (f != 1.0)
    for (auto& z : s.data) z *= f;
  Tensor full = complex_tensor(s, complex_for(input.dtype()));
  const std::vector<int64_t> given(ds.begin(), ds.end());
  if (!onesided) return laid_out(full, fft_output_strides(input, given, s.sizes, true));
  const std::size_t last = ds.back();
  std::vector<int64_t> half = s.sizes;
  half[last] = s.sizes[last] / 2 + 1;
  std::vector<int64_t> strides(full.strides().begin(), full.strides().end());
  return laid_out(full.as_strided(half, strides, 0), fft_output_strides(input, given, half, true));
}

Tensor fft_c2r(const Tensor& input, const std::vector<int64_t>& dims, int64_t normalization,
               int64_t last_dim_size) {
  PT2RUN_CHECK(is_complex(input.dtype()), DTypeMismatch, "_fft_c2r needs a complex input, got ",
               input.describe());
  auto ds = normalize_dims(dims, input.dim(), "_fft_c2r");
  const std::size_t last = ds.back();
  const int64_t n = last_dim_size;
  const int64_t have = input.size(static_cast<int64_t>(last));
  PT2RUN_CHECK(n >= 1 && have >= n / 2 + 1, InvalidArgument, "_fft_c2r: last_dim_size ", n,
               " needs at least ", n / 2 + 1, " input points along dim ", last, ", got ", have);
  Signal in = to_signal(input);
  // The other dims are full spectra: invert them first, which leaves each line along the last
  // dim a one-sided Hermitian spectrum.
  double points = static_cast<double>(n);
  for (std::size_t k = 0; k + 1 < ds.size(); ++k) {
    transform_dim(in, ds[k], /*forward=*/false);
    points *= static_cast<double>(in.sizes[ds[k]]);
  }
  Signal full;
  full.sizes = in.sizes;
  full.sizes[last] = n;
  full.data.resize(in.data.size() / static_cast<std::size_t>(have) * static_cast<std::size_t>(n));
  const int64_t in_stride = in.stride(last), out_stride = full.stride(last);
  const int64_t lines = static_cast<int64_t>(full.data.size()) / n;
  for (int64_t line = 0; line < lines; ++line) {
    const int64_t outer = line / out_stride, inner = line % out_stride;
    const Complex* src = in.data.data() + outer * have * in_stride + inner;
    Complex* dst = full.data.data() + outer * n * out_stride + inner;
    for (int64_t k = 0; k < n; ++k) {
      dst[k * out_stride] = k <= n / 2 ? src[k * in_stride] : std::conj(src[(n - k) * in_stride]);
    }
  }
  transform_dim(full, last, /*forward=*/false);
  const double f = scale(normalization, points);
  Tensor real = Tensor::empty(full.sizes, DType::Float64);
  auto* r = real.data<double>();
  for (std::size_t i = 0; i < full.data.size(); ++i) r[i] = full.data[i].real() * f;
  // Laid out as torch's: its c2r runs a c2c over the other dims first (whose result takes the
  // c2c layout), then a one-dim c2r over the last, laid out by that intermediate's strides.
  std::vector<int64_t> strides(input.strides().begin(), input.strides().end());
  if (ds.size() > 1)
    strides = fft_output_strides(input, {ds.begin(), ds.end() - 1}, sizes_of(input), false);
  const std::vector<int64_t> along{static_cast<int64_t>(last)};
  return laid_out(input.dtype() == DType::Complex128 ? real : real.to(DType::Float32),
                  fft_output_strides(strides, along, full.sizes, true));
}

Tensor complex_abs(const Tensor& input) {
  PT2RUN_CHECK(is_complex(input.dtype()), DTypeMismatch, "complex_abs needs a complex input");
  Tensor c = input.to(DType::Complex128);
  Tensor values = Tensor::empty(sizes_of(input), DType::Float64);
  for (int64_t i = 0; i < c.numel(); ++i) values.data<double>()[i] = std::abs(c.data<Complex>()[i]);
  // Laid out as torch's elementwise ops lay out their output: in the input's dim order.
  const std::vector<int64_t> sizes = sizes_of(input);
  Tensor out = Tensor::empty_strided(sizes, detail::iterator_output_strides(sizes, {input.strides()}),
                                     input.dtype() == DType::Complex128   ? DType::Float64
                                     : input.dtype() == DType::Complex32 ? DType::Float16
                                                                          : DType::Float32);
  out.copy_(values);
  return out;
}

Tensor make_complex(const Tensor& real, const Tensor& imag) {
  PT2RUN_CHECK(real.dtype() == imag.dtype() &&
                   (real.dtype() == DType::Float32 || real.dtype() == DType::Float64),
               DTypeMismatch, "complex: real and imag must both be float32 or float64, got ",
               real.describe(), " and ", imag.describe());
  PT2RUN_CHECK(sizes_of(real) == sizes_of(imag), ShapeMismatch, "complex: real ", real.describe(),
               " and imag ", imag.describe(), " differ in shape");
  Tensor re = real.to(DType::Float64), im = imag.to(DType::Float64);
  Signal s;
  s.sizes = sizes_of(real);
  s.data.resize(static_cast<std::size_t>(real.numel()));
  for (std::size_t i = 0; i < s.data.size(); ++i) s.data[i] = {re.data<double>()[i], im.data<double>()[i]};
  return complex_tensor(s, real.dtype() == DType::Float32 ? DType::Complex64 : DType::Complex128);
}

}  // namespace pt2run::cpu
