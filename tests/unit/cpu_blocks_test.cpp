// The CPU block cache behind tensor storage.

#include "core/cpu_blocks.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <thread>
#include <utility>
#include <vector>

namespace pt2run::detail {
namespace {

TEST(CpuBlocks, EveryClassHoldsItsRequestWithAtMostAQuarterSpare) {
  std::size_t last = 0;
  for (std::size_t n = 1; n <= kMaxCachedBlock + 4096; n += (n < 8192 ? 1 : 61)) {
    const std::size_t bytes = cpu_block_size(n);
    ASSERT_GE(bytes, n);
    ASSERT_EQ(bytes % kAlignment, 0u) << n;
    ASSERT_LE(bytes, std::max(n + kAlignment - 1, n + n / 4 + kAlignment)) << n;
    ASSERT_GE(bytes, last) << n;  // larger requests never get smaller blocks
    last = bytes;
  }
  EXPECT_EQ(cpu_block_size(SIZE_MAX), 0u);
  EXPECT_EQ(allocate_cpu_block(SIZE_MAX), nullptr);
}

// Live blocks never overlap, whatever mix of sizes is freed and asked for again.
TEST(CpuBlocks, LiveBlocksNeverShareBytes) {
  std::vector<std::pair<std::byte*, std::size_t>> live;
  std::uint32_t state = 12345;
  auto next = [&] { return state = state * 1664525u + 1013904223u; };
  for (int step = 0; step < 4000; ++step) {
    if (!live.empty() && next() % 3 == 0) {
      const std::size_t i = next() % live.size();
      free_cpu_block(live[i].first, live[i].second);
      live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    const std::size_t n = 1 + next() % (next() % 4 == 0 ? kMaxCachedBlock + 8192 : 3000);
    auto* p = static_cast<std::byte*>(allocate_cpu_block(n));
    ASSERT_NE(p, nullptr);
    ASSERT_EQ(reinterpret_cast<std::uintptr_t>(p) % kAlignment, 0u);
    std::memset(p, 0xab, n);
    live.emplace_back(p, n);
  }
  std::sort(live.begin(), live.end());
  for (std::size_t i = 1; i < live.size(); ++i) ASSERT_LE(live[i - 1].first + live[i - 1].second, live[i].first);
  for (auto [p, n] : live) free_cpu_block(p, n);
}

TEST(CpuBlocks, AFreedBlockServesTheThreadsNextRequestOfItsClass) {
  if (!kCpuBlockCache) GTEST_SKIP() << "this build keeps no blocks (AddressSanitizer)";
  void* a = allocate_cpu_block(1000);
  free_cpu_block(a, 1000);
  void* b = allocate_cpu_block(990);  // the same 1024-byte class
  EXPECT_EQ(a, b);
  // Freed on another thread: that thread keeps it (and returns it when it ends).
  std::thread([&] { free_cpu_block(b, 990); }).join();
  void* c = allocate_cpu_block(1000);
  EXPECT_NE(c, b);
  free_cpu_block(c, 1000);
  // Beyond the cached sizes nothing is kept.
  void* big = allocate_cpu_block(kMaxCachedBlock + 1);
  free_cpu_block(big, kMaxCachedBlock + 1);
}

TEST(CpuBlocks, AThreadKeepsAtMostItsBound) {
  if (!kCpuBlockCache) GTEST_SKIP() << "this build keeps no blocks (AddressSanitizer)";
  std::thread([] {
    const std::size_t n = kMaxCachedBlock;
    const std::size_t count = 2 * kMaxCachedBytes / n;
    std::vector<void*> blocks;
    for (std::size_t i = 0; i < count; ++i) blocks.push_back(allocate_cpu_block(n));
    for (void* b : blocks) free_cpu_block(b, n);
    // Asked for again, only the kept ones come back; the rest are new (or reused by the system).
    std::vector<void*> again;
    for (std::size_t i = 0; i < count; ++i) again.push_back(allocate_cpu_block(n));
    const auto kept = static_cast<std::size_t>(
        std::count_if(again.begin(), again.begin() + static_cast<std::ptrdiff_t>(kMaxCachedBytes / n),
                      [&](void* p) { return std::find(blocks.begin(), blocks.end(), p) != blocks.end(); }));
    EXPECT_EQ(kept, kMaxCachedBytes / n);
    for (void* b : again) free_cpu_block(b, n);
  }).join();
}

}  // namespace
}  // namespace pt2run::detail
