// CPU ops against straightforward reference loops, over the layouts and dtypes that matter.

#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <random>
#include <thread>
#include <tuple>

#include "backends/cpu/attention.h"
#include "backends/cpu/convolution.h"
#include "backends/cpu/gemm.h"
#include "backends/cpu/onednn_plans.h"
#include "backends/cpu/scan.h"
#include "backends/cpu/selection.h"
#include "backends/cpu/sorting.h"
#include "pt2run/error.h"

namespace pt2run {
namespace {

Tensor random(std::vector<int64_t> sizes, unsigned seed, DType dtype = DType::Float32) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> dist;
  Tensor t = Tensor::empty(sizes, DType::Float32);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(gen);
  return dtype == DType::Float32 ? t : t.to(dtype);
}

void expect_near(const Tensor& actual, const Tensor& expected, double tol) {
  Tensor a = actual.to(DType::Float64), e = expected.to(DType::Float64);
  ASSERT_EQ(a.numel(), e.numel());
  for (int64_t i = 0; i < a.numel(); ++i)
    ASSERT_NEAR(a.data<double>()[i], e.data<double>()[i], tol * (1 + std::fabs(e.data<double>()[i]))) << i;
}

Tensor reference_mm(const Tensor& a, const Tensor& b) {
  Tensor a32 = a.to(DType::Float64), b32 = b.to(DType::Float64);
  const int64_t m = a.size(0), k = a.size(1), n = b.size(1);
  Tensor out = Tensor::zeros({m, n}, DType::Float64);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t x = 0; x < k; ++x)
        out.data<double>()[i * n + j] += a32.data<double>()[i * k + x] * b32.data<double>()[x * n + j];
  return out;
}

TEST(Gemm, AddmmOverEveryOperandLayout) {
  Tensor a = random({5, 7}, 1), b = random({7, 3}, 2), bias = random({3}, 3);
  Tensor expected = reference_mm(a, b);
  for (int64_t i = 0; i < 15; ++i)
    expected.data<double>()[i] = 2.0 * expected.data<double>()[i] + 0.5 * bias.to(DType::Float64).data<double>()[i % 3];
  Tensor at = Tensor::empty({7, 5}, DType::Float32).as_strided({5, 7}, {1, 5}, 0);  // column-major a
  at.copy_(a);
  Tensor gapped = Tensor::empty({7, 6}, DType::Float32);
  Tensor bg = gapped.as_strided({7, 3}, {6, 2}, 0);  // neither dim unit-stride
  bg.copy_(b);
  for (const Tensor& lhs : {a, at}) {
    for (const Tensor& rhs : {b, bg}) {
      Tensor out = Tensor::empty({5, 3}, DType::Float32);
      cpu::addmm(out, &bias, lhs, rhs, 0.5, 2.0);
      expect_near(out, expected, 1e-5);
      Tensor out_t = Tensor::empty({3, 5}, DType::Float32).as_strided({5, 3}, {1, 5}, 0);
      cpu::addmm(out_t, &bias, lhs, rhs, 0.5, 2.0);
      expect_near(out_t.contiguous(), expected, 1e-5);
    }
  }
}

TEST(Gemm, BetaZeroIgnoresNaNBias) {
  Tensor a = random({2, 2}, 4), b = random({2, 2}, 5);
  Tensor bias = Tensor::empty({2}, DType::Float32);
  bias.data<float>()[0] = bias.data<float>()[1] = NAN;
  Tensor out = Tensor::empty({2, 2}, DType::Float32);
  cpu::addmm(out, &bias, a, b, 0.0, 1.0);
  expect_near(out, reference_mm(a, b), 1e-6);
}

TEST(Gemm, ReducedPrecisionAndIntegers) {
  for (DType dtype : {DType::BFloat16, DType::Float16, DType::Float64}) {
    Tensor a = random({4, 8}, 6, dtype), b = random({8, 5}, 7, dtype);
    Tensor out = Tensor::empty({4, 5}, dtype);
    cpu::addmm(out, nullptr, a, b, 0.0, 1.0);
    expect_near(out, reference_mm(a, b), dtype == DType::BFloat16 ? 1e-2 : 2e-3);
  }
  Tensor a = Tensor::empty({2, 2}, DType::Int64), b = Tensor::empty({2, 2}, DType::Int64);
  for (int i = 0; i < 4; ++i) a.data<int64_t>()[i] = i + 1, b.data<int64_t>()[i] = (int64_t{1} << 40) + i;
  Tensor out = Tensor::empty({2, 2}, DType::Int64);
  cpu::addmm(out, nullptr, a, b, 0.0, 1.0);
  EXPECT_EQ(out.data<int64_t>()[0], 1 * ((int64_t{1} << 40)) + 2 * ((int64_t{1} << 40) + 2));
}

TEST(Gemm, ShapeAndDtypeErrors) {
  Tensor out = Tensor::empty({2, 2}, DType::Float32);
  EXPECT_THROW(cpu::addmm(out, nullptr, random({2, 3}, 1), random({4, 2}, 1), 0, 1), Error);
  EXPECT_THROW(cpu::addmm(out, nullptr, random({2, 3}, 1), random({3, 2}, 1, DType::Float64), 0, 1), Error);
}

TEST(Gemm, Baddbmm) {
  Tensor a = random({3, 4, 6}, 8), b = random({3, 6, 2}, 9), c = random({3, 4, 2}, 10);
  Tensor out = Tensor::empty({3, 4, 2}, DType::Float32);
  cpu::baddbmm(out, &c, a, b, 0.25, 1.5);
  for (int64_t i = 0; i < 3; ++i) {
    Tensor ai = a.as_strided({4, 6}, {6, 1}, i * 24), bi = b.as_strided({6, 2}, {2, 1}, i * 12);
    Tensor ref = reference_mm(ai, bi);
    for (int64_t j = 0; j < 8; ++j)
      ref.data<double>()[j] = 1.5 * ref.data<double>()[j] + 0.25 * c.data<float>()[i * 8 + j];
    expect_near(out.as_strided({4, 2}, {2, 1}, i * 8).contiguous(), ref, 1e-5);
  }
}

// Direct 2-d convolution (transposed via its scatter definition).
Tensor reference_conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, const cpu::ConvolutionParams& p,
                        std::vector<int64_t> out_sizes) {
  Tensor xc = x.to(DType::Float64), wc = w.to(DType::Float64), bc = bias.to(DType::Float64);
  Tensor out = Tensor::zeros(out_sizes, DType::Float64);
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t O = out_sizes[1], OH = out_sizes[2], OW = out_sizes[3], KH = w.size(2), KW = w.size(3);
  const int64_t g = p.groups, cg = C / g, og = O / g;
  auto X = [&](int64_t n, int64_t c, int64_t h, int64_t ww) { return xc.data<double>()[((n * C + c) * H + h) * W + ww]; };
  auto& o = out;
  auto OUT = [&](int64_t n, int64_t c, int64_t h, int64_t ww) -> double& { return o.data<double>()[((n * O + c) * OH + h) * OW + ww]; };
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oc = 0; oc < O; ++oc)
      for (int64_t h = 0; h < OH; ++h)
        for (int64_t ww = 0; ww < OW; ++ww) OUT(n, oc, h, ww) = bc.data<double>()[oc];
  for (int64_t n = 0; n < N; ++n)
    for (int64_t gi = 0; gi < g; ++gi)
      for (int64_t ocl = 0; ocl < og; ++ocl)
        for (int64_t icl = 0; icl < cg; ++icl)
          for (int64_t kh = 0; kh < KH; ++kh)
            for (int64_t kw = 0; kw < KW; ++kw) {
              const int64_t oc = gi * og + ocl, ic = gi * cg + icl;
              if (!p.transposed) {
                double wv = wc.data<double>()[((oc * cg + icl) * KH + kh) * KW + kw];
                for (int64_t h = 0; h < OH; ++h)
                  for (int64_t ww = 0; ww < OW; ++ww) {
                    int64_t ih = h * p.stride[0] - p.padding[0] + kh * p.dilation[0];
                    int64_t iw = ww * p.stride[1] - p.padding[1] + kw * p.dilation[1];
                    if (ih >= 0 && ih < H && iw >= 0 && iw < W) OUT(n, oc, h, ww) += wv * X(n, ic, ih, iw);
                  }
              } else {
                double wv = wc.data<double>()[((ic * og + ocl) * KH + kh) * KW + kw];
                for (int64_t ih = 0; ih < H; ++ih)
                  for (int64_t iw = 0; iw < W; ++iw) {
                    int64_t h = ih * p.stride[0] - p.padding[0] + kh * p.dilation[0];
                    int64_t ww = iw * p.stride[1] - p.padding[1] + kw * p.dilation[1];
                    if (h >= 0 && h < OH && ww >= 0 && ww < OW) OUT(n, oc, h, ww) += wv * X(n, ic, ih, iw);
                  }
              }
            }
  return out;
}

struct ConvCase {
  std::vector<int64_t> x, w;
  cpu::ConvolutionParams p;
};

TEST(Convolution, MatchesDirectLoops) {
  std::vector<ConvCase> cases = {
      {{2, 4, 9, 10}, {6, 2, 3, 3}, {{2, 2}, {1, 0}, {1, 1}, false, {0, 0}, 2}},      // grouped, strided
      {{1, 3, 10, 10}, {4, 3, 3, 2}, {{3, 1}, {0, 2}, {2, 1}, false, {0, 0}, 1}},     // dilated, uneven
      {{1, 4, 7, 7}, {4, 1, 3, 3}, {{1, 1}, {1, 1}, {1, 1}, false, {0, 0}, 4}},       // depthwise
      {{1, 4, 5, 4}, {4, 3, 3, 3}, {{2, 2}, {1, 1}, {1, 1}, true, {1, 0}, 1}},        // transposed
      {{1, 2, 3, 3}, {2, 2, 2, 2}, {{3, 3}, {0, 0}, {1, 1}, true, {2, 1}, 1}},        // output_padding > padding
  };
  for (const auto& c : cases) {
    for (DType dtype : {DType::Float32, DType::BFloat16}) {
      Tensor x = random(c.x, 11, dtype), w = random(c.w, 12, dtype);
      const int64_t out_channels = c.p.transposed ? c.w[1] * c.p.groups : c.w[0];
      Tensor bias = random({out_channels}, 13, dtype);
      Tensor out = cpu::convolution(x, w, &bias, c.p);
      std::vector<int64_t> out_sizes(out.sizes().begin(), out.sizes().end());
      expect_near(out, reference_conv2d(x, w, bias, c.p, out_sizes), dtype == DType::Float32 ? 1e-4 : 3e-2);
    }
  }
}

// A plan keeps its oneDNN memory objects between calls (onednn::Execution): each call must
// read and write its own buffers, on any thread, in place (channels-last) or through reorders.
TEST(Convolution, ARepeatedSignatureReadsEachCallsOwnBuffers) {
  const cpu::ConvolutionParams p{{1, 1}, {1, 1}, {1, 1}, false, {0, 0}, 1};
  for (bool channels_last : {true, false}) {
    auto check_calls = [&](unsigned seed) {
      for (int call = 0; call < 4; ++call) {
        Tensor x = random({2, 3, 6, 6}, seed + call), w = random({5, 3, 3, 3}, seed + 10 + call);
        Tensor bias = random({5}, seed + 20 + call);
        if (channels_last) {
          Tensor cl = Tensor::empty_strided({2, 3, 6, 6}, {108, 1, 18, 3}, DType::Float32);
          cl.copy_(x);
          x = cl;
        }
        Tensor out = cpu::convolution(x, w, &bias, p);
        std::vector<int64_t> out_sizes(out.sizes().begin(), out.sizes().end());
        expect_near(out.contiguous(), reference_conv2d(x.contiguous(), w, bias, p, out_sizes), 1e-4);
      }
    };
    check_calls(100);
    std::thread a(check_calls, 200), b(check_calls, 300);
    a.join();
    b.join();
  }
}

TEST(Convolution, ChannelsLastInGivesChannelsLastOut) {
  Tensor x = random({1, 3, 6, 6}, 14);
  Tensor x_cl = Tensor::empty_strided({1, 3, 6, 6}, {108, 1, 18, 3}, DType::Float32);
  x_cl.copy_(x);
  Tensor w = random({4, 3, 3, 3}, 15);
  cpu::ConvolutionParams p{{1, 1}, {1, 1}, {1, 1}, false, {0, 0}, 1};
  Tensor out = cpu::convolution(x_cl, w, nullptr, p);
  EXPECT_EQ(out.strides()[1], 1);
  expect_near(out.contiguous(), cpu::convolution(x, w, nullptr, p), 1e-5);
}

TEST(Convolution, OneValueStandsForEverySpatialDim) {
  // AOTInductor passes padding=[0] and output_padding=[0] (efficientnet's depthwise convs).
  Tensor x = random({1, 4, 7, 7}, 16), w = random({4, 1, 3, 3}, 17);
  cpu::ConvolutionParams full{{2, 2}, {0, 0}, {1, 1}, false, {0, 0}, 4};
  cpu::ConvolutionParams short_form{{2, 2}, {0}, {1, 1}, false, {0}, 4};
  expect_near(cpu::convolution(x, w, nullptr, short_form), cpu::convolution(x, w, nullptr, full), 0);
  cpu::ConvolutionParams wrong{{2, 2, 2}, {0}, {1, 1}, false, {0}, 4};
  EXPECT_THROW(cpu::convolution(x, w, nullptr, wrong), Error);
}

TEST(Convolution, BadShapesAreErrors) {
  cpu::ConvolutionParams p{{1, 1}, {0, 0}, {1, 1}, false, {0, 0}, 1};
  EXPECT_THROW(cpu::convolution(random({1, 3, 2, 2}, 1), random({4, 3, 3, 3}, 1), nullptr, p), Error);
  EXPECT_THROW(cpu::convolution(random({1, 2, 5, 5}, 1), random({4, 3, 3, 3}, 1), nullptr, p), Error);
  p.groups = 2;
  EXPECT_THROW(cpu::convolution(random({1, 3, 5, 5}, 1), random({4, 3, 3, 3}, 1), nullptr, p), Error);
}

TEST(Scan, CumsumCumprodLogcumsumexpAlongEachDim) {
  Tensor x = random({3, 4, 5}, 30);
  for (int64_t dim : {0, 1, 2, -1}) {
    const int64_t d = dim < 0 ? dim + 3 : dim;
    Tensor sum = cpu::cumulative(x, dim, cpu::ScanOp::Sum, std::nullopt);
    Tensor prod = cpu::cumulative(x, dim, cpu::ScanOp::Prod, std::nullopt);
    Tensor lse = cpu::cumulative(x, dim, cpu::ScanOp::LogSumExp, std::nullopt);
    ASSERT_EQ(sum.dtype(), DType::Float32);
    const int64_t sizes[3] = {3, 4, 5}, strides[3] = {20, 5, 1};
    for (int64_t i = 0; i < x.numel(); ++i) {
      const int64_t pos = (i / strides[d]) % sizes[d];
      double s = 0, p = 1, e = 0;
      for (int64_t k = 0; k <= pos; ++k) {
        const double v = x.data<float>()[i - (pos - k) * strides[d]];
        s += v;
        p *= v;
        e += std::exp(v);
      }
      EXPECT_NEAR(sum.data<float>()[i], s, 1e-5);
      EXPECT_NEAR(prod.data<float>()[i], p, 1e-5);
      EXPECT_NEAR(lse.data<float>()[i], std::log(e), 1e-5);
    }
  }
}

TEST(Scan, IntegerInputsGiveInt64AndDtypeArgumentWins) {
  Tensor b = Tensor::empty({4}, DType::Bool);
  for (int i = 0; i < 4; ++i) b.data<uint8_t>()[i] = i != 1;
  Tensor s = cpu::cumulative(b, 0, cpu::ScanOp::Sum, std::nullopt);  // GPT-2's position ids
  ASSERT_EQ(s.dtype(), DType::Int64);
  EXPECT_EQ(s.data<int64_t>()[3], 3);
  EXPECT_EQ(cpu::cumulative(b, 0, cpu::ScanOp::Sum, DType::Float32).dtype(), DType::Float32);
  Tensor scalar = Tensor::zeros({}, DType::Int32);
  EXPECT_EQ(cpu::cumulative(scalar, -1, cpu::ScanOp::Prod, std::nullopt).dim(), 0);
  EXPECT_THROW(cpu::cumulative(b, 1, cpu::ScanOp::Sum, std::nullopt), Error);
  EXPECT_THROW(cpu::cumulative(b, 0, cpu::ScanOp::LogSumExp, std::nullopt), Error);
  EXPECT_EQ(cpu::cumulative(Tensor::zeros({0, 3}, DType::Float32), 0, cpu::ScanOp::Sum, std::nullopt).numel(), 0);
}

Tensor floats(const std::vector<float>& values) {
  Tensor t = Tensor::empty({static_cast<int64_t>(values.size())}, DType::Float32);
  std::copy(values.begin(), values.end(), t.data<float>());
  return t;
}

std::vector<int64_t> ints(const Tensor& t) {
  Tensor c = t.to(DType::Int64);
  return {c.data<int64_t>(), c.data<int64_t>() + c.numel()};
}

TEST(Sorting, SortIsStableAndPutsNanLast) {
  const float nan = std::nanf("");
  Tensor x = floats({3, nan, 1, 3, -2});
  auto [values, indices] = cpu::sort(x, 0, /*descending=*/false);
  EXPECT_EQ(ints(indices), (std::vector<int64_t>{4, 2, 0, 3, 1}));
  EXPECT_TRUE(std::isnan(values.data<float>()[4]));
  auto [dv, di] = cpu::sort(x, -1, /*descending=*/true);
  EXPECT_EQ(ints(di), (std::vector<int64_t>{1, 0, 3, 2, 4}));  // NaN first, ties in order
  // Along dim 0 of a matrix, int64 exact beyond 2^53.
  Tensor m = Tensor::empty({2, 2}, DType::Int64);
  const int64_t big = (int64_t{1} << 60);
  m.data<int64_t>()[0] = big + 1;
  m.data<int64_t>()[1] = 0;
  m.data<int64_t>()[2] = big;
  m.data<int64_t>()[3] = -1;
  auto [mv, mi] = cpu::sort(m, 0, false);
  EXPECT_EQ(ints(mi), (std::vector<int64_t>{1, 1, 0, 0}));
  EXPECT_EQ(mv.data<int64_t>()[0], big);
}

TEST(Sorting, TopkLargestAndSmallest) {
  Tensor x = floats({5, 1, 4, 1, 9, 2});
  auto [v, i] = cpu::topk(x, 3, 0, /*largest=*/true);
  EXPECT_EQ(ints(i), (std::vector<int64_t>{4, 0, 2}));
  auto [sv, si] = cpu::topk(x, 2, 0, /*largest=*/false);
  EXPECT_EQ(ints(si), (std::vector<int64_t>{1, 3}));  // tie: lower index first
  EXPECT_EQ(cpu::topk(x, 0, 0, true).first.numel(), 0);
  EXPECT_THROW(cpu::topk(x, 7, 0, true), Error);
}

TEST(Sorting, SearchsortedSidesSorterAndBatches) {
  Tensor seq = floats({1, 3, 3, 5});
  Tensor values = floats({0, 3, 4, 6});
  EXPECT_EQ(ints(cpu::searchsorted(seq, values, false, false, nullptr)), (std::vector<int64_t>{0, 1, 3, 4}));
  EXPECT_EQ(ints(cpu::searchsorted(seq, values, true, true, nullptr)), (std::vector<int64_t>{0, 3, 3, 4}));
  EXPECT_EQ(cpu::searchsorted(seq, values, true, true, nullptr).dtype(), DType::Int32);
  Tensor unsorted = floats({5, 1, 3, 3});
  Tensor sorter = Tensor::empty({4}, DType::Int64);
  const int64_t order[4] = {1, 2, 3, 0};
  std::copy(order, order + 4, sorter.data<int64_t>());
  EXPECT_EQ(ints(cpu::searchsorted(unsorted, values, false, false, &sorter)), (std::vector<int64_t>{0, 1, 3, 4}));
  Tensor rows = floats({1, 2, 3, 10, 20, 30}).as_strided({2, 3}, {3, 1}, 0);
  Tensor probe = floats({2.5, 25}).as_strided({2, 1}, {1, 1}, 0);
  EXPECT_EQ(ints(cpu::searchsorted(rows, probe, false, false, nullptr)), (std::vector<int64_t>{2, 2}));
  EXPECT_THROW(cpu::searchsorted(rows, values, false, false, nullptr), Error);
}

TEST(Selection, NonzeroIsColumnMajorLikeTorch) {
  Tensor x = floats({0, 2, 0, 0, 0, 3}).as_strided({2, 3}, {3, 1}, 0).contiguous();
  Tensor nz = cpu::nonzero(x);
  ASSERT_EQ(nz.size(0), 2);
  EXPECT_EQ(nz.stride(0), 1);
  EXPECT_EQ(nz.stride(1), 2);
  EXPECT_EQ(ints(nz.contiguous()), (std::vector<int64_t>{0, 1, 1, 2}));
  EXPECT_EQ(cpu::nonzero(Tensor::zeros({3}, DType::Float32)).size(0), 0);
}

TEST(Selection, Histc) {
  Tensor x = floats({-1, 0, 0.5, 1, 2, 3});
  Tensor h = cpu::histc(x, 4, 0, 2);  // bins [0,.5) [.5,1) [1,1.5) [1.5,2]; -1 and 3 outside
  EXPECT_EQ(std::vector<float>(h.data<float>(), h.data<float>() + 4), (std::vector<float>{1, 1, 1, 1}));
  Tensor auto_range = cpu::histc(x, 2, 0, 0);  // the data's range: [-1, 3]
  EXPECT_EQ(auto_range.data<float>()[0] + auto_range.data<float>()[1], 6);
  EXPECT_THROW(cpu::histc(x, 0, 0, 1), Error);
  EXPECT_THROW(cpu::histc(Tensor::zeros({2}, DType::Int64), 2, 0, 1), Error);
}

TEST(Attention, MasksAndCausal) {
  const int64_t B = 1, H = 2, L = 3, S = 4, E = 5;
  Tensor q = random({B, H, L, E}, 20), k = random({B, H, S, E}, 21), v = random({B, H, S, E}, 22);
  Tensor mask = Tensor::empty({L, S}, DType::Bool);
  for (int64_t i = 0; i < L * S; ++i) mask.data<uint8_t>()[i] = (i % 3) != 0;
  for (int64_t j = 0; j < S; ++j) mask.data<uint8_t>()[2 * S + j] = 0;  // a fully masked row
  auto result = cpu::scaled_dot_product_attention(q, k, v, &mask, false, 0.5, 0.0);
  for (int64_t h = 0; h < H; ++h)
    for (int64_t i = 0; i < L; ++i) {
      std::vector<double> w(S);
      double max = -INFINITY, sum = 0;
      for (int64_t j = 0; j < S; ++j) {
        double s = 0;
        for (int64_t e = 0; e < E; ++e) s += q.data<float>()[(h * L + i) * E + e] * k.data<float>()[(h * S + j) * E + e];
        w[j] = mask.data<uint8_t>()[i * S + j] ? 0.5 * s : -INFINITY;
        max = std::max(max, w[j]);
      }
      for (int64_t j = 0; j < S; ++j) sum += (w[j] = max == -INFINITY ? 0 : std::exp(w[j] - max));
      for (int64_t e = 0; e < E; ++e) {
        double expected = 0;
        for (int64_t j = 0; j < S; ++j) expected += (sum > 0 ? w[j] / sum : 0) * v.data<float>()[(h * S + j) * E + e];
        EXPECT_NEAR(result.output.contiguous().data<float>()[(h * L + i) * E + e], expected, 1e-5);
      }
    }
  EXPECT_EQ(result.logsumexp.dtype(), DType::Float32);
  EXPECT_EQ(result.logsumexp.strides()[1], 1);  // [B, H, L] over [B, L, H] storage
  auto causal = cpu::scaled_dot_product_attention(q, k, v, nullptr, true, std::nullopt, 0.0);
  // Query 0 sees key 0 only: its output is v[0].
  for (int64_t e = 0; e < E; ++e)
    EXPECT_NEAR(causal.output.contiguous().data<float>()[e], v.data<float>()[e], 1e-6);
  EXPECT_THROW(cpu::scaled_dot_product_attention(q, k, v, nullptr, false, std::nullopt, 0.1), Error);
}

// Attention of query row i of head bh ([B*H, L, E] contiguous q, [B*H, S, E] k and v) over
// keys 0..visible-1, in double precision, with an additive mask row if given.
std::vector<double> reference_attention_row(const Tensor& q, const Tensor& k, const Tensor& v, int64_t bh,
                                            int64_t i, int64_t visible, double scale, const float* mask_row) {
  const int64_t L = q.size(2), S = k.size(2), E = q.size(3);
  std::vector<double> w(visible);
  double max = -INFINITY, sum = 0;
  for (int64_t j = 0; j < visible; ++j) {
    double d = 0;
    for (int64_t e = 0; e < E; ++e)
      d += double(q.data<float>()[(bh * L + i) * E + e]) * k.data<float>()[(bh * S + j) * E + e];
    w[j] = d * scale + (mask_row ? mask_row[j] : 0.0);
    max = std::max(max, w[j]);
  }
  for (int64_t j = 0; j < visible; ++j) sum += (w[j] = std::exp(w[j] - max));
  std::vector<double> out(E, 0.0);
  for (int64_t e = 0; e < E; ++e)
    for (int64_t j = 0; j < visible; ++j) out[e] += w[j] / sum * v.data<float>()[(bh * S + j) * E + e];
  return out;
}

// Long sequences split into blocks of query rows run in parallel: every block, the partial
// last one included, matches a double-precision reference, causal (where each block computes
// only the keys its rows see) or with an additive mask, with more queries than keys or fewer.
TEST(Attention, RowBlocksInParallelMatchTheReference) {
  omp_set_num_threads(2);
  for (const auto& [L, S, causal] : {std::tuple{70, 70, true}, std::tuple{70, 45, true}, std::tuple{40, 90, true},
                                    std::tuple{70, 33, false}}) {
    const int64_t B = 2, H = 3, E = 8;
    Tensor q = random({B, H, L, E}, 40), k = random({B, H, S, E}, 41), v = random({B, H, S, E}, 42);
    Tensor mask = random({L, S}, 43);
    auto result = cpu::scaled_dot_product_attention(q, k, v, causal ? nullptr : &mask, causal, std::nullopt, 0.0);
    Tensor out = result.output.contiguous();
    const double scale = 1.0 / std::sqrt(static_cast<double>(E));
    for (int64_t bh = 0; bh < B * H; ++bh)
      for (int64_t i = 0; i < L; ++i) {
        const int64_t visible = causal ? std::min<int64_t>(i + 1, S) : S;
        const auto row = reference_attention_row(q, k, v, bh, i, visible, scale,
                                                 causal ? nullptr : mask.data<float>() + i * S);
        for (int64_t e = 0; e < E; ++e) {
          const double expected = row[e];
          ASSERT_NEAR(out.data<float>()[(bh * L + i) * E + e], expected, 2e-5 + 2e-5 * std::abs(expected))
              << "L " << L << " S " << S << (causal ? " causal" : " masked") << " row " << i;
        }
      }
  }
  omp_set_num_threads(1);
}

// Heads permuted out of [B, L, H, E] storage (what a model's projections produce) are read in
// place and give what contiguous copies give; the output follows the query's strides; long
// rows with wide score ranges match a double-precision softmax; NaN scores propagate as in
// torch.
TEST(Attention, PermutedHeadsLongRowsAndNaN) {
  const int64_t B = 2, H = 3, L = 5, S = 97, E = 8;
  auto heads_last = [](const Tensor& t) {  // [B, H, N, E] values in [B, N, H, E] storage
    Tensor storage = Tensor::empty({t.size(0), t.size(2), t.size(1), t.size(3)}, t.dtype());
    Tensor view = storage.as_strided({t.size(0), t.size(1), t.size(2), t.size(3)},
                                     {storage.stride(0), storage.stride(2), storage.stride(1), 1}, 0);
    view.copy_(t);
    return view;
  };
  Tensor q = random({B, H, L, E}, 30), k = random({B, H, S, E}, 31), v = random({B, H, S, E}, 32);
  for (int64_t i = 0; i < q.numel(); ++i) q.data<float>()[i] *= 4;  // scores over a wide range
  auto dense = cpu::scaled_dot_product_attention(q, k, v, nullptr, false, std::nullopt, 0.0);
  Tensor qp = heads_last(q), kp = heads_last(k), vp = heads_last(v);
  auto permuted = cpu::scaled_dot_product_attention(qp, kp, vp, nullptr, false, std::nullopt, 0.0);
  EXPECT_TRUE(std::ranges::equal(permuted.output.strides(), qp.strides()));
  Tensor a = dense.output.contiguous(), b = permuted.output.contiguous();
  const double scale = 1.0 / std::sqrt(static_cast<double>(E));
  for (int64_t bh = 0; bh < B * H; ++bh)
    for (int64_t i = 0; i < L; ++i) {
      const auto row = reference_attention_row(q, k, v, bh, i, S, scale, nullptr);
      for (int64_t e = 0; e < E; ++e) {
        const double expected = row[e];
        const int64_t at = (bh * L + i) * E + e;
        EXPECT_NEAR(a.data<float>()[at], expected, 1e-5 + 1e-5 * std::abs(expected));
        EXPECT_EQ(a.data<float>()[at], b.data<float>()[at]);
      }
    }
  k.data<float>()[0] = NAN;  // batch 0, head 0, key 0: every query of that head sees it
  auto poisoned = cpu::scaled_dot_product_attention(q, k, v, nullptr, false, std::nullopt, 0.0);
  EXPECT_TRUE(std::isnan(poisoned.output.contiguous().data<float>()[0]));
  EXPECT_FALSE(std::isnan(poisoned.output.contiguous().data<float>()[H * L * E]));  // batch 1
}

}  // namespace
}  // namespace pt2run

namespace pt2run {
namespace {

// A prepacked weight whose blocking this oneDNN would not pick is re-laid out through the
// plain layout (two fast reorders instead of the generic one); every element must land where
// the target blocking puts it, the padding of a blocking that does not divide included.
TEST(OneDnnPlans, AWeightMovesBetweenTwoBlockingsThroughThePlainLayout) {
  using dnnl::memory;
  const memory::dims dims{100, 24, 1, 1};  // 100 output channels: 48-blocks pad to 144
  const memory::desc plain(dims, memory::data_type::f32, memory::format_tag::abcd);
  const memory::desc from_md(dims, memory::data_type::f32, memory::format_tag::Acdb64a);
  cpu::onednn::Plan plan;
  plan.wei_fmt = memory::desc(dims, memory::data_type::f32, memory::format_tag::Acdb48a);
  cpu::onednn::weight_reorder(plan, from_md);
  ASSERT_TRUE(plan.to_wei_then) << "blocked to blocked goes through the plain layout";
  const auto& engine = cpu::onednn::engine();
  std::vector<float> values(100 * 24);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i) * 0.5f - 7.f;
  memory source(plain, engine, values.data()), from(from_md, engine), to(plan.wei_fmt, engine);
  dnnl::stream& stream = cpu::onednn::stream();
  dnnl::reorder(source, from).execute(stream, source, from);
  cpu::onednn::reorder_weight(plan, from, to);
  std::vector<float> back(values.size(), 0.f);
  memory result(plain, engine, back.data());
  dnnl::reorder(to, result).execute(stream, to, result);
  stream.wait();
  EXPECT_EQ(back, values);

  // Plain to blocked is one reorder.
  cpu::onednn::Plan direct;
  direct.wei_fmt = plan.wei_fmt;
  cpu::onednn::weight_reorder(direct, plain);
  EXPECT_TRUE(direct.to_wei);
  EXPECT_FALSE(direct.to_wei_then);
  // The same layout needs none.
  cpu::onednn::Plan same;
  same.wei_fmt = from_md;
  cpu::onednn::weight_reorder(same, from_md);
  EXPECT_FALSE(same.to_wei);
}

}  // namespace
}  // namespace pt2run
