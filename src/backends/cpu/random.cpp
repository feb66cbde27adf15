#include "backends/cpu/random.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numbers>
#include <optional>
#include <numeric>
#include <random>

#include "backends/cpu/dim_lines.h"
#include "core/check.h"
#include "core/cpu_generator.h"
#include "core/layout.h"
#include "core/views.h"

namespace pt2run {

using detail::CpuGenerator;

namespace cpu {
namespace {

// `out` with its dims ordered as torch's TensorIterator walks them (largest stride outermost),
// so that the n-th draw lands where torch's serial kernel puts it: in memory order for a
// dense tensor, whatever its dim order.
std::vector<int64_t> iteration_order(const Tensor& out) {
  std::vector<int64_t> perm(static_cast<std::size_t>(out.dim()));
  std::iota(perm.begin(), perm.end(), 0);
  std::stable_sort(perm.begin(), perm.end(), [&](int64_t a, int64_t b) {
    if (out.size(a) == 1 || out.size(b) == 1) return false;
    return out.stride(a) > out.stride(b);
  });
  return perm;
}

Tensor iteration_order_view(const Tensor& out) { return detail::permute(out, iteration_order(out)); }

}  // namespace

void randint(const Tensor& out, int64_t low, int64_t high) {
  PT2RUN_CHECK(low < high, InvalidArgument, "randint: low (", low, ") must be below high (", high, ")");
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  Tensor target = iteration_order_view(out);
  Tensor values = Tensor::empty(sizes_vector(target), DType::Int64);
  {
    CpuGenerator& g = detail::cpu_generator();
    std::lock_guard lock(g.mutex);
    for (int64_t i = 0; i < values.numel(); ++i) {
      const uint64_t draw = range >= (1ULL << 32) ? g.random64() : g.random();
      values.data<int64_t>()[i] = static_cast<int64_t>(draw % range + static_cast<uint64_t>(low));
    }
  }
  target.copy_(values);
}

namespace {

// Mantissa digits of the type torch draws uniforms in (std::numeric_limits<T>::digits).
int uniform_digits(DType dtype) {
  switch (dtype) {
    case DType::Float64: return 53;
    case DType::Float32: return 24;
    case DType::Float16: return 11;
    case DType::BFloat16: return 8;
    default:
      detail::fail(ErrorCode::DTypeMismatch, "normal: needs a floating-point tensor (float64, float32, "
                   "float16 or bfloat16), got ", dtype_name(dtype));
  }
}

// torch's normal_fill_16: Box-Muller over 16 uniforms, the first 8 as u1, the last 8 as u2.
template <typename T>
void normal_fill_16(T* data, T mean, T std) {
  for (int j = 0; j < 8; ++j) {
    const T u1 = 1 - data[j];  // [0, 1) -> (0, 1] for the log
    const T u2 = data[j + 8];
    const T radius = std::sqrt(-2 * std::log(u1));
    const T theta = 2.0f * std::numbers::pi * u2;
    data[j] = radius * std::cos(theta) * std + mean;
    data[j + 8] = radius * std::sin(theta) * std + mean;
  }
}

}  // namespace

void normal(const Tensor& out, double mean, double std) {
  PT2RUN_CHECK(std >= 0, InvalidArgument, "normal: std must be >= 0, got ", std);
  const int digits = uniform_digits(out.dtype());
  const int64_t n = out.numel();
  CpuGenerator& g = detail::cpu_generator();
  std::lock_guard lock(g.mutex);
  // torch fills 16 at a time when it can (contiguous, >= 16 values): all uniforms first, then
  // Box-Muller per 16, the tail redone as the last 16; otherwise one scalar draw per value.
  if (n >= 16 && out.is_contiguous()) {
    if (out.dtype() == DType::Float64) {
      auto* d = out.data<double>();
      for (int64_t i = 0; i < n; ++i) d[i] = g.uniform_real(53);
      for (int64_t i = 0; i + 16 <= n; i += 16) normal_fill_16<double>(d + i, mean, std);
      if (n % 16 != 0) {
        for (int64_t i = n - 16; i < n; ++i) d[i] = g.uniform_real(53);
        normal_fill_16<double>(d + n - 16, mean, std);
      }
      return;
    }
    // Other types fill in float: their uniforms (11 or 8 bits) are exact in them.
    std::vector<float> d(static_cast<std::size_t>(n));
    for (auto& v : d) v = static_cast<float>(g.uniform_real(digits));
    const auto fmean = static_cast<float>(mean), fstd = static_cast<float>(std);
    for (int64_t i = 0; i + 16 <= n; i += 16) normal_fill_16<float>(d.data() + i, fmean, fstd);
    if (n % 16 != 0) {
      for (int64_t i = n - 16; i < n; ++i) d[static_cast<std::size_t>(i)] = static_cast<float>(g.uniform_real(digits));
      normal_fill_16<float>(d.data() + n - 16, fmean, fstd);
    }
    Tensor staging = Tensor::from_blob(d.data(), sizes_vector(out), DType::Float32);
    Tensor o = out;
    o.copy_(staging);
    return;
  }
  Tensor target = iteration_order_view(out);
  Tensor values = Tensor::empty(sizes_vector(target), DType::Float64);
  for (int64_t i = 0; i < n; ++i) values.data<double>()[i] = g.normal_double() * std + mean;
  target.copy_(values);
}

void uniform(const Tensor& out, double from, double to) {
  PT2RUN_CHECK(from <= to, InvalidArgument, "uniform: from (", from, ") must be <= to (", to, ")");
  const int digits = uniform_digits(out.dtype());
  Tensor target = iteration_order_view(out);
  Tensor values = Tensor::empty(sizes_vector(target), DType::Float64);
  {
    CpuGenerator& g = detail::cpu_generator();
    std::lock_guard lock(g.mutex);
    // One draw per element in order, computed in the element's accumulation type (double for
    // float64, float otherwise), as torch's serial kernel does.
    for (int64_t i = 0; i < values.numel(); ++i) {
      const double u = g.uniform_real(digits);
      values.data<double>()[i] =
          digits == 53 ? u * (to - from) + from
                       : static_cast<double>(static_cast<float>(u) * (static_cast<float>(to) - static_cast<float>(from)) +
                                             static_cast<float>(from));
    }
  }
  target.copy_(values);
}

namespace {

// Fills iteration_order_view(out) with one value per element from draw(g), in order.
template <class Draw>
void fill_in_order(const Tensor& out, Draw draw) {
  Tensor target = iteration_order_view(out);
  Tensor values = Tensor::empty(sizes_vector(target), DType::Float64);
  {
    CpuGenerator& g = detail::cpu_generator();
    std::lock_guard lock(g.mutex);
    for (int64_t i = 0; i < values.numel(); ++i) values.data<double>()[i] = draw(g, i);
  }
  target.copy_(values);
}

}  // namespace

void bernoulli(const Tensor& out, double p) {
  PT2RUN_CHECK(p >= 0 && p <= 1, InvalidArgument, "bernoulli_: p must be in [0, 1], got ", p);
  PT2RUN_CHECK(!is_complex(out.dtype()), DTypeMismatch, "bernoulli_: complex tensors are not supported");
  fill_in_order(out, [p](CpuGenerator& g, int64_t) { return g.uniform_real(53) < p ? 1.0 : 0.0; });
}

void bernoulli(const Tensor& out, const Tensor& p) {
  PT2RUN_CHECK(is_floating_point(p.dtype()), DTypeMismatch, "bernoulli_: p must be floating point, got ",
               p.describe());
  PT2RUN_CHECK(!is_complex(out.dtype()), DTypeMismatch, "bernoulli_: complex tensors are not supported");
  // p as the iteration walks out: broadcast, then in out's memory order.
  const Tensor probs = detail::permute(detail::expand_to(p, out.sizes()), iteration_order(out)).to(DType::Float64);
  fill_in_order(out, [&](CpuGenerator& g, int64_t i) {
    const double pi = probs.data<double>()[i];
    PT2RUN_CHECK(pi >= 0 && pi <= 1, InvalidArgument, "bernoulli_: probability ", pi, " is outside [0, 1]");
    // torch: bernoulli_distribution<float>, a 24-bit uniform float against p as float.
    return static_cast<float>(g.uniform_real(24)) < static_cast<float>(pi) ? 1.0 : 0.0;
  });
}

void exponential(const Tensor& out, double lambd) {
  PT2RUN_CHECK(is_floating_point(out.dtype()), DTypeMismatch, "exponential_: needs a floating-point tensor, got ",
               out.describe());
  PT2RUN_CHECK(lambd > 0, InvalidArgument, "exponential_: lambda must be positive, got ", lambd);
  fill_in_order(out, [lambd](CpuGenerator& g, int64_t) { return -1.0 / lambd * std::log1p(-g.uniform_real(53)); });
}

void randperm(const Tensor& out) {
  PT2RUN_CHECK(out.dim() == 1, InvalidArgument, "randperm: needs a 1-D output, got ", out.describe());
  const int64_t n = out.size(0);
  std::vector<int64_t> r(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) r[static_cast<std::size_t>(i)] = i;
  {
    // torch's CPU shuffle: position i swaps with i + (one 32-bit draw) % (n - i).
    CpuGenerator& g = detail::cpu_generator();
    std::lock_guard lock(g.mutex);
    for (int64_t i = 0; i + 1 < n; ++i) {
      const auto z = static_cast<int64_t>(g.random() % static_cast<uint64_t>(n - i));
      std::swap(r[static_cast<std::size_t>(i)], r[static_cast<std::size_t>(z + i)]);
    }
  }
  Tensor values = Tensor::from_blob(r.data(), {n}, DType::Int64);
  Tensor o = out;
  o.copy_(values);
}

Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement) {
  PT2RUN_CHECK(probs.dim() == 1 || probs.dim() == 2, InvalidArgument,
               "multinomial needs 1-D or 2-D probabilities, got ", probs.describe());
  const int64_t rows = probs.dim() == 2 ? probs.size(0) : 1;
  const int64_t n = probs.size(-1);
  PT2RUN_CHECK(num_samples > 0 && (replacement || num_samples <= n), InvalidArgument,
               "multinomial: cannot draw ", num_samples, " samples from ", n, " categories",
               replacement ? "" : " without replacement");
  Tensor p = probs.to(DType::Float64);
  std::vector<int64_t> sizes{num_samples};
  if (probs.dim() == 2) sizes.insert(sizes.begin(), rows);
  Tensor out = Tensor::empty(sizes, DType::Int64);
  CpuGenerator& g = detail::cpu_generator();
  std::lock_guard lock(g.mutex);
  std::vector<double> w(static_cast<std::size_t>(n));
  for (int64_t r = 0; r < rows; ++r) {
    std::copy_n(p.data<double>() + r * n, n, w.begin());
    for (double x : w)
      PT2RUN_CHECK(std::isfinite(x) && x >= 0, InvalidArgument,
                   "multinomial: probabilities must be finite and non-negative");
    for (int64_t s = 0; s < num_samples; ++s) {
      double total = 0;
      for (double x : w) total += x;
      PT2RUN_CHECK(total > 0, InvalidArgument, "multinomial: row ", r,
                   replacement || s == 0 ? " sums to zero" : " has fewer non-zero categories than samples");
      const double u = g.uniform() * total;
      double acc = 0;
      int64_t pick = n - 1;
      for (int64_t c = 0; c < n; ++c) {
        acc += w[static_cast<std::size_t>(c)];
        if (u < acc && w[static_cast<std::size_t>(c)] > 0) {
          pick = c;
          break;
        }
      }
      while (w[static_cast<std::size_t>(pick)] == 0) --pick;  // rounding at the top end
      out.data<int64_t>()[r * num_samples + s] = pick;
      if (!replacement) w[static_cast<std::size_t>(pick)] = 0;
    }
  }
  return out;
}

}  // namespace cpu
}  // namespace pt2run
