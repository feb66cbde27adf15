// Semantics of the long-tail CPU kernels that the corpus models (checked against eager torch)
// do not pin down: ties, empty segments, NaN, odd FFT lengths, torch's random sequence.

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <set>

#include "backends/cpu/fft.h"
#include "backends/cpu/gemm.h"
#include "backends/cpu/indexing.h"
#include "backends/cpu/random.h"
#include "backends/cpu/scan.h"
#include "backends/cpu/sorting.h"
#include "pt2run/error.h"
#include "pt2run/random.h"

namespace pt2run {
namespace {

Tensor floats(std::vector<int64_t> sizes, std::vector<float> values) {
  Tensor t = Tensor::empty(sizes, DType::Float32);
  std::copy(values.begin(), values.end(), t.data<float>());
  return t;
}

Tensor longs(std::vector<int64_t> values) {
  Tensor t = Tensor::empty({static_cast<int64_t>(values.size())}, DType::Int64);
  std::copy(values.begin(), values.end(), t.data<int64_t>());
  return t;
}

TEST(TailOps, CummaxTakesTheLaterTieAndPropagatesNan) {
  auto [values, indices] = cpu::cumulative_extreme(floats({5}, {1, 3, 3, NAN, 2}), 0, true);
  EXPECT_EQ(indices.data<int64_t>()[2], 2);  // torch: ties move the index forward
  EXPECT_TRUE(std::isnan(values.data<float>()[4]));
  EXPECT_EQ(indices.data<int64_t>()[4], 3);
  auto [mins, at] = cpu::cumulative_extreme(floats({2, 2}, {4, 1, 2, 5}), 0, false);
  EXPECT_EQ(mins.data<float>()[2], 2.0f);
  EXPECT_EQ(at.data<int64_t>()[3], 0);
}

TEST(TailOps, MedianIsTheLowerOneAndNanWins) {
  auto [values, indices] = cpu::median(floats({2, 4}, {4, 1, 3, 2, 1, NAN, 0, 5}), 1, false);
  EXPECT_EQ(values.data<float>()[0], 2.0f);  // lower of the two middle values
  EXPECT_EQ(indices.data<int64_t>()[0], 3);
  EXPECT_TRUE(std::isnan(values.data<float>()[1]));
  EXPECT_EQ(indices.data<int64_t>()[1], 1);
  EXPECT_THROW(cpu::kthvalue(floats({3}, {1, 2, 3}), 4, 0, false), Error);
}

TEST(TailOps, SegmentReduceFillsEmptySegments) {
  Tensor data = floats({4}, {1, 2, 3, 4});
  Tensor lengths = longs({1, 0, 3});
  EXPECT_EQ(cpu::segment_reduce(data, "sum", &lengths, nullptr, 0, std::nullopt).data<float>()[1], 0.0f);
  EXPECT_TRUE(std::isinf(cpu::segment_reduce(data, "max", &lengths, nullptr, 0, std::nullopt).data<float>()[1]));
  EXPECT_EQ(cpu::segment_reduce(data, "max", &lengths, nullptr, 0, -1.0).data<float>()[1], -1.0f);
  EXPECT_EQ(cpu::segment_reduce(data, "mean", &lengths, nullptr, 0, std::nullopt).data<float>()[2], 3.0f);
  Tensor too_long = longs({5});
  EXPECT_THROW(cpu::segment_reduce(data, "sum", &too_long, nullptr, 0, std::nullopt), Error);
}

TEST(TailOps, ScatterReduceWithoutSelf) {
  Tensor self = floats({3}, {10, 10, 10});
  Tensor out = Tensor::empty({3}, DType::Float32);
  cpu::scatter_reduce(out, self, 0, longs({0, 0, 2}), floats({3}, {1, 3, 5}), "mean", false);
  EXPECT_EQ(out.data<float>()[0], 2.0f);   // mean of 1 and 3 only
  EXPECT_EQ(out.data<float>()[1], 10.0f);  // untouched
  cpu::scatter_reduce(out, self, 0, longs({0, 0, 2}), floats({3}, {1, 3, 5}), "mean", true);
  EXPECT_NEAR(out.data<float>()[0], 14.0f / 3, 1e-6);
  EXPECT_THROW(cpu::scatter_reduce(out, self, 0, longs({3}), floats({1}, {1}), "sum", true), Error);
  EXPECT_THROW(cpu::scatter_reduce(out, self, 0, longs({0}), floats({1}, {1}), "median", true), Error);
}

TEST(TailOps, FftRoundTripsOddLengths) {
  // irfft(rfft(x), n) == x for an odd n, where the Hermitian fill has no Nyquist point.
  Tensor x = floats({2, 7}, {1, -2, 3, 0.5f, 4, -1, 2, 0, 1, 0, 0, 0, 0, 0});
  Tensor spectrum = cpu::fft_r2c(x, {1}, 0, true);
  EXPECT_EQ(spectrum.size(1), 4);
  EXPECT_EQ(spectrum.dtype(), DType::Complex64);
  Tensor back = cpu::fft_c2r(spectrum, {1}, 2, 7);
  for (int64_t i = 0; i < x.numel(); ++i) EXPECT_NEAR(back.data<float>()[i], x.data<float>()[i], 1e-5);
  // A unit impulse has a flat spectrum.
  Tensor impulse = cpu::fft_c2c(cpu::make_complex(floats({5}, {1, 0, 0, 0, 0}), floats({5}, {0, 0, 0, 0, 0})),
                                {0}, 0, true);
  for (int64_t i = 0; i < 5; ++i) EXPECT_NEAR(std::abs(impulse.data<std::complex<float>>()[i]), 1.0f, 1e-6);
  EXPECT_THROW(cpu::fft_c2r(spectrum, {1}, 0, 9), Error);  // needs 5 points, has 4
}

TEST(TailOps, RandintDrawsTorchsSequence) {
  // torch.manual_seed(7); torch.randint(0, 10, (6,)) and the 64-bit seeds AOTInductor draws.
  manual_seed(7);
  Tensor small = Tensor::empty({6}, DType::Int64);
  cpu::randint(small, 0, 10);
  EXPECT_EQ(std::vector<int64_t>(small.data<int64_t>(), small.data<int64_t>() + 6),
            (std::vector<int64_t>{5, 2, 1, 6, 3, 7}));
  manual_seed(7);
  Tensor seeds = Tensor::empty({2}, DType::Int64);
  cpu::randint(seeds, INT64_MIN, INT64_MAX);
  EXPECT_EQ(seeds.data<int64_t>()[0], -7815732517915138876LL);
  EXPECT_EQ(seeds.data<int64_t>()[1], 5163590386780219894LL);
  EXPECT_EQ(initial_seed(), 7u);
  manual_seed(67280421310721ULL);  // torch's default: a fresh process draws these
  Tensor fresh = Tensor::empty({3}, DType::Int64);
  cpu::randint(fresh, 0, 1000);
  EXPECT_EQ(fresh.data<int64_t>()[0], 710);
  EXPECT_EQ(fresh.data<int64_t>()[2], 837);
}

TEST(TailOps, MultinomialRespectsZerosAndReplacement) {
  manual_seed(1);
  Tensor probs = floats({2, 4}, {0, 1, 1, 0, 5, 0, 0, 1});
  Tensor picks = cpu::multinomial(probs, 2, false);
  ASSERT_EQ(picks.size(1), 2);
  std::set<int64_t> row0{picks.data<int64_t>()[0], picks.data<int64_t>()[1]};
  EXPECT_EQ(row0, (std::set<int64_t>{1, 2}));  // without replacement: both non-zero ones
  Tensor many = cpu::multinomial(floats({3}, {0, 1, 3}), 4000, true);
  int64_t twos = 0;
  for (int64_t i = 0; i < 4000; ++i) {
    EXPECT_NE(many.data<int64_t>()[i], 0);
    twos += many.data<int64_t>()[i] == 2;
  }
  EXPECT_NEAR(static_cast<double>(twos) / 4000, 0.75, 0.04);
  EXPECT_THROW(cpu::multinomial(probs, 3, false), Error);  // row 0 has two non-zero categories
  EXPECT_THROW(cpu::multinomial(floats({2}, {-1, 1}), 1, true), Error);
}

}  // namespace
}  // namespace pt2run

namespace pt2run {
namespace {

TEST(TailOps, GemmFamilyCompletions) {
  Tensor mat = floats({2, 2}, {1, 2, 3, 4});
  Tensor mv = cpu::addmv(floats({2}, {1, 1}), mat, floats({2}, {1, 1}), 2.0, 3.0);
  ASSERT_EQ(mv.dim(), 1);
  EXPECT_EQ(mv.data<float>()[0], 11.0f);
  EXPECT_EQ(mv.data<float>()[1], 23.0f);
  EXPECT_EQ(cpu::addmv(floats({1}, {5}), mat, floats({2}, {0, 0}), 1.0, 1.0).data<float>()[1], 5.0f);
  Tensor bmm = cpu::addbmm(floats({1, 1}, {1}), floats({2, 1, 1}, {1, 2}), floats({2, 1, 1}, {3, 4}), 0.5, 2.0);
  EXPECT_EQ(bmm.data<float>()[0], 22.5f);
  // torch: F.gelu (erf form) of [1, -1] = [0.8413447, -0.1586553] on the CPU.
  Tensor gelu = cpu::addmm_activation(floats({2}, {0, 0}), floats({1, 1}, {1}), floats({1, 2}, {1, -1}),
                                      1.0, 1.0, true);
  EXPECT_NEAR(gelu.data<float>()[0], 0.8413447f, 1e-6);
  EXPECT_NEAR(gelu.data<float>()[1], -0.1586553f, 1e-6);
  Tensor relu = cpu::addmm_activation(floats({2}, {0, 0}), floats({1, 1}, {1}), floats({1, 2}, {1, -1}),
                                      1.0, 1.0, false);
  EXPECT_EQ(relu.data<float>()[1], 0.0f);
  EXPECT_THROW(cpu::addmv(floats({2}, {1, 1}), mat, floats({3}, {1, 1, 1}), 1.0, 1.0), Error);
}

}  // namespace
}  // namespace pt2run
