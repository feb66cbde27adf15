#include "backends/cpu/random.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <random>

#include "backends/cpu/dim_lines.h"
#include "core/check.h"
#include "pt2run/random.h"

namespace pt2run {
namespace {

// torch's CPU generator: std::mt19937 seeded with the low 32 bits of the seed (at::mt19937
// initializes its state exactly as the standard engine does).
constexpr uint64_t kDefaultSeed = 67280421310721ULL;

struct Generator {
  std::mutex mutex;
  uint64_t seed = kDefaultSeed;
  std::mt19937 engine{static_cast<uint32_t>(kDefaultSeed)};

  uint32_t random() { return static_cast<uint32_t>(engine()); }
  uint64_t random64() {  // at::CPUGeneratorImpl::random64: first draw is the high half
    const uint64_t hi = random(), lo = random();
    return (hi << 32) | lo;
  }
  double uniform() { return static_cast<double>(random64() >> 11) * 0x1.0p-53; }  // [0, 1)
};

Generator& generator() {
  static Generator g;
  return g;
}

}  // namespace

void manual_seed(uint64_t seed) {
  Generator& g = generator();
  std::lock_guard lock(g.mutex);
  g.seed = seed;
  g.engine.seed(static_cast<uint32_t>(seed));
}

uint64_t initial_seed() {
  Generator& g = generator();
  std::lock_guard lock(g.mutex);
  return g.seed;
}

namespace cpu {

void randint(const Tensor& out, int64_t low, int64_t high) {
  PT2RUN_CHECK(low < high, InvalidArgument, "randint: low (", low, ") must be below high (", high, ")");
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  Tensor values = Tensor::empty(sizes_vector(out), DType::Int64);
  {
    Generator& g = generator();
    std::lock_guard lock(g.mutex);
    for (int64_t i = 0; i < values.numel(); ++i) {
      const uint64_t draw = range >= (1ULL << 32) ? g.random64() : g.random();
      values.data<int64_t>()[i] = static_cast<int64_t>(draw % range + static_cast<uint64_t>(low));
    }
  }
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
  Generator& g = generator();
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
