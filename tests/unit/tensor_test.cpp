#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/layout.h"
#include "core/storage.h"
#include "pt2run/error.h"
#include "pt2run/tensor.h"

namespace pt2run {
namespace {

TEST(Tensor, EmptyIsContiguousAndAligned) {
  Tensor t = Tensor::empty({2, 3, 4}, DType::Float32);
  EXPECT_TRUE(t.defined());
  EXPECT_EQ(t.numel(), 24);
  EXPECT_EQ(std::vector<int64_t>(t.strides().begin(), t.strides().end()),
            (std::vector<int64_t>{12, 4, 1}));
  EXPECT_TRUE(t.is_contiguous());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data_ptr()) % 64, 0u);
  EXPECT_EQ(t.storage_nbytes(), 96u);
}

TEST(Tensor, UndefinedByDefault) {
  Tensor t;
  EXPECT_FALSE(t.defined());
  EXPECT_EQ(t.storage_use_count(), 0);
  EXPECT_EQ(t.data_ptr(), nullptr);
}

TEST(Tensor, CopiesShareStorage) {
  Tensor a = Tensor::zeros({4}, DType::Int32);
  Tensor b = a;
  EXPECT_TRUE(a.shares_storage_with(b));
  EXPECT_EQ(a.storage_use_count(), 2);
  b.data<int32_t>()[1] = 7;
  EXPECT_EQ(a.data<int32_t>()[1], 7);
}

TEST(Tensor, FromBlobBorrowsAndCallsDeleterOnce) {
  float data[6] = {0, 1, 2, 3, 4, 5};
  int deleted = 0;
  {
    Tensor t = Tensor::from_blob(data, {2, 3}, DType::Float32, Device::cpu(),
                                 [&](void* p) { EXPECT_EQ(p, data); ++deleted; });
    Tensor view = t.as_strided({3}, {2}, 1);
    EXPECT_EQ(view.data<float>()[0], 1.f);
    EXPECT_EQ(deleted, 0);
  }
  EXPECT_EQ(deleted, 1);
  Tensor borrowed = Tensor::from_blob(data, {6}, DType::Float32);
  EXPECT_EQ(borrowed.data_ptr(), data);
}

TEST(Tensor, AsStridedChecksBounds) {
  Tensor t = Tensor::empty({4}, DType::Float32);
  EXPECT_THROW(t.as_strided({5}, {1}, 0), Error);
  EXPECT_THROW(t.as_strided({2}, {1}, 3), Error);
  EXPECT_NO_THROW(t.as_strided({2}, {2}, 1));
  EXPECT_THROW(t.as_strided({2}, {1, 1}, 0), Error);
}

TEST(Tensor, RejectsBadSizes) {
  EXPECT_THROW(Tensor::empty({-1}, DType::Float32), Error);
  EXPECT_THROW(Tensor::empty({int64_t{1} << 62, 1 << 30}, DType::Float32), Error);
  EXPECT_THROW(Tensor::empty_strided({2}, {1, 1}, DType::Float32), Error);
  try {
    Tensor::empty({2}, DType::Float32, Device::cuda(0));
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::DeviceMismatch);
  }
}

TEST(Tensor, CloneOfTransposedIsContiguousCopy) {
  Tensor t = Tensor::empty({2, 3}, DType::Float32);
  for (int i = 0; i < 6; ++i) t.data<float>()[i] = static_cast<float>(i);
  Tensor tt = t.as_strided({3, 2}, {1, 3}, 0);
  EXPECT_FALSE(tt.is_contiguous());
  Tensor c = tt.contiguous();
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_EQ(std::vector<float>(c.data<float>(), c.data<float>() + 6),
            (std::vector<float>{0, 3, 1, 4, 2, 5}));
}

// copy_ between layouts, against the value at each logical index (the fast paths merge dims
// and copy runs; this is what they must preserve).
TEST(Tensor, CopyBetweenLayoutsKeepsEveryElement) {
  const std::vector<int64_t> sizes{2, 3, 4, 5};
  auto filled = [&](const std::vector<int64_t>& strides) {
    Tensor t = Tensor::empty_strided(sizes, strides, DType::Int32);
    std::fill_n(static_cast<int32_t*>(t.data_ptr()), t.storage_nbytes() / 4, -1);
    return t;
  };
  auto at = [](const Tensor& t, int64_t a, int64_t b, int64_t c, int64_t d) {
    return t.data<int32_t>()[a * t.strides()[0] + b * t.strides()[1] + c * t.strides()[2] + d * t.strides()[3]];
  };
  const std::vector<int64_t> contiguous{60, 20, 5, 1};
  const std::vector<std::vector<int64_t>> layouts{
      contiguous, detail::channels_last_strides(sizes), {1, 2, 6, 24}, {120, 40, 10, 2}, {60, 1, 15, 3}};
  for (const auto& from : layouts) {
    Tensor src = filled(from);
    for (int64_t a = 0; a < 2; ++a)
      for (int64_t b = 0; b < 3; ++b)
        for (int64_t c = 0; c < 4; ++c)
          for (int64_t d = 0; d < 5; ++d)
            src.data<int32_t>()[a * from[0] + b * from[1] + c * from[2] + d * from[3]] =
                static_cast<int32_t>(((a * 3 + b) * 4 + c) * 5 + d);
    for (const auto& to : layouts) {
      Tensor dst = filled(to);
      dst.copy_(src);
      for (int64_t a = 0; a < 2; ++a) {
        for (int64_t b = 0; b < 3; ++b) {
          for (int64_t c = 0; c < 4; ++c) {
            for (int64_t d = 0; d < 5; ++d) {
              ASSERT_EQ(at(dst, a, b, c, d), ((a * 3 + b) * 4 + c) * 5 + d)
                  << "strides " << ::testing::PrintToString(from) << " -> " << ::testing::PrintToString(to);
            }
          }
        }
      }
      // Gaps between elements of a strided layout stay untouched.
      if (to[3] == 2) {
        EXPECT_EQ(dst.data<int32_t>()[1], -1);
      }
    }
  }
  // Broadcast source and size-1 dims with any stride.
  Tensor row = Tensor::empty({5}, DType::Int32);
  for (int i = 0; i < 5; ++i) row.data<int32_t>()[i] = i;
  Tensor dst = filled(contiguous);
  dst.copy_(row.as_strided(sizes, {0, 0, 0, 1}, 0));
  EXPECT_EQ(at(dst, 1, 2, 3, 4), 4);
  EXPECT_EQ(at(dst, 1, 1, 0, 2), 2);
  Tensor one = Tensor::empty_strided({1, 3, 1}, {7, 1, 99}, DType::Int32);
  Tensor three = Tensor::empty({1, 3, 1}, DType::Int32);
  for (int i = 0; i < 3; ++i) three.data<int32_t>()[i] = 10 + i;
  one.copy_(three);
  EXPECT_EQ(one.data<int32_t>()[2], 12);
}

TEST(Tensor, MemoryOverlapIsFoundAcrossHandlesOfOneBlob) {
  float data[12] = {};
  Tensor whole = Tensor::from_blob(data, {12}, DType::Float32);
  Tensor again = Tensor::from_blob(data, {3, 4}, DType::Float32);  // another Storage, same memory
  EXPECT_FALSE(whole.shares_storage_with(again));
  EXPECT_TRUE(detail::memory_may_overlap(whole, again));
  Tensor first = Tensor::from_blob(data, {6}, DType::Float32);
  Tensor second = Tensor::from_blob(data + 6, {6}, DType::Float32);
  EXPECT_FALSE(detail::memory_may_overlap(first, second));
  EXPECT_TRUE(detail::memory_may_overlap(first, whole.as_strided({2}, {5}, 5)));  // elements 5 and 10
  EXPECT_FALSE(detail::memory_may_overlap(first, Tensor::from_blob(data, {0}, DType::Float32)));
  EXPECT_FALSE(detail::memory_may_overlap(first, Tensor::empty({6}, DType::Float32)));
}

TEST(Tensor, ToConvertsLikeTorch) {
  Tensor f = Tensor::empty({4}, DType::Float32);
  float values[] = {-1.7f, 2.5f, 0.0f, 300.f};
  std::copy(values, values + 4, f.data<float>());
  Tensor i = f.to(DType::Int32);
  EXPECT_EQ(i.data<int32_t>()[0], -1);  // truncation toward zero
  EXPECT_EQ(i.data<int32_t>()[1], 2);
  Tensor b = f.to(DType::Bool);
  EXPECT_EQ(b.data<uint8_t>()[2], 0);
  EXPECT_EQ(b.data<uint8_t>()[3], 1);
  Tensor bf = f.to(DType::BFloat16).to(DType::Float32);
  EXPECT_FLOAT_EQ(bf.data<float>()[1], 2.5f);
  Tensor h = f.to(DType::Float16).to(DType::Float32);
  EXPECT_FLOAT_EQ(h.data<float>()[3], 300.f);
}

TEST(Tensor, Int64KeepsFullPrecision) {
  Tensor a = Tensor::empty({1}, DType::Int64);
  a.data<int64_t>()[0] = (int64_t{1} << 60) + 1;
  EXPECT_EQ(a.to(DType::UInt64).to(DType::Int64).data<int64_t>()[0], (int64_t{1} << 60) + 1);
}

TEST(Tensor, Float8RoundTrips) {
  Tensor f = Tensor::empty({5}, DType::Float32);
  float values[] = {0.5f, -2.0f, 448.f, 0.001953125f /* 2^-9, smallest e4m3fn subnormal */, 3.f};
  std::copy(values, values + 5, f.data<float>());
  Tensor back = f.to(DType::Float8_e4m3fn).to(DType::Float32);
  for (int i = 0; i < 5; ++i) EXPECT_FLOAT_EQ(back.data<float>()[i], values[i]) << i;
  Tensor e5 = f.to(DType::Float8_e5m2).to(DType::Float32);
  EXPECT_FLOAT_EQ(e5.data<float>()[1], -2.f);
  // Out of e4m3fn's range: NaN (it has no infinity), as in torch.
  f.data<float>()[0] = 1000.f;
  EXPECT_TRUE(std::isnan(f.to(DType::Float8_e4m3fn).to(DType::Float32).data<float>()[0]));
}

TEST(Layout, EmptyLikeFollowsTorch) {
  // A non-dense view keeps its dim order (torch's empty_like on SDPA's query views).
  Tensor base = Tensor::empty({2, 8, 3, 2, 16}, DType::Float32);
  Tensor q = base.as_strided({2, 2, 8, 16}, {768, 16, 96, 1}, 0);
  Tensor out = detail::empty_like(q, DType::Float32);
  EXPECT_EQ(std::vector<int64_t>(out.strides().begin(), out.strides().end()),
            (std::vector<int64_t>{256, 16, 32, 1}));
  Tensor cl = Tensor::empty_strided({2, 8, 4, 4}, {128, 1, 32, 8}, DType::Float32);
  EXPECT_TRUE(detail::suggests_channels_last(cl));
  EXPECT_FALSE(detail::suggests_channels_last(Tensor::empty({2, 8, 4, 4}, DType::Float32)));
}

}  // namespace
}  // namespace pt2run
