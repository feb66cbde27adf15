// The registry of model constants that kernels keep packed copies of.

#include "core/constant_weights.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/host_cpu.h"
#include "pt2run/threading.h"

namespace pt2run::detail {
namespace {

std::shared_ptr<void> pack_counting(const void* data, std::size_t n, int& packs, const std::string& layout = "L") {
  return packed_constant(data, n, layout, [&] {
    ++packs;
    return Packed{std::make_shared<int>(packs), 64};
  });
}

TEST(ConstantWeights, PacksADeclaredConstantOncePerLayout) {
  std::vector<float> weights(64);
  int owner = 0, packs = 0;
  const ConstantRange range{weights.data(), weights.size() * sizeof(float)};
  declare_constants(&owner, {&range, 1});
  const PackedStats before = packed_constant_stats();
  auto first = pack_counting(weights.data() + 8, 32, packs);
  auto again = pack_counting(weights.data() + 8, 32, packs);
  EXPECT_EQ(packs, 1);
  EXPECT_EQ(first, again);
  pack_counting(weights.data() + 8, 32, packs, "another layout");
  EXPECT_EQ(packs, 2);
  EXPECT_EQ(packed_constant_stats().copies, before.copies + 2);
  EXPECT_EQ(packed_constant_stats().bytes, before.bytes + 128);
  forget_constants(&owner);
  EXPECT_EQ(packed_constant_stats().copies, before.copies);
}

TEST(ConstantWeights, MemoryNotDeclaredOrPastARangeIsNeverCached) {
  std::vector<float> weights(16), other(16);
  int owner = 0, packs = 0;
  const ConstantRange range{weights.data(), weights.size() * sizeof(float)};
  declare_constants(&owner, {&range, 1});
  EXPECT_EQ(pack_counting(other.data(), 16, packs), nullptr);
  // Starts inside the range but runs past its end.
  EXPECT_EQ(pack_counting(weights.data() + 12, 32, packs), nullptr);
  EXPECT_EQ(packs, 0);
  forget_constants(&owner);
  EXPECT_EQ(pack_counting(weights.data(), 16, packs), nullptr);
}

TEST(ConstantWeights, RedeclaringDropsCopiesButHandedOutOnesStayValid) {
  std::vector<float> weights(16);
  int owner = 0, packs = 0;
  const ConstantRange range{weights.data(), weights.size() * sizeof(float)};
  declare_constants(&owner, {&range, 1});
  auto held = pack_counting(weights.data(), 64, packs);
  // An update of the constants: the next use packs again from the new data.
  declare_constants(&owner, {&range, 1});
  auto fresh = pack_counting(weights.data(), 64, packs);
  EXPECT_EQ(packs, 2);
  EXPECT_NE(held, fresh);
  EXPECT_EQ(*std::static_pointer_cast<int>(held), 1);  // still alive for its holder
  forget_constants(&owner);
}

TEST(ConstantWeights, ARedeclarationDuringPackingKeepsTheCopyOutOfTheCache) {
  std::vector<float> weights(16);
  int owner = 0, packs = 0;
  const ConstantRange range{weights.data(), weights.size() * sizeof(float)};
  declare_constants(&owner, {&range, 1});
  auto once = packed_constant(weights.data(), 64, "L", [&] {
    ++packs;
    declare_constants(&owner, {&range, 1});  // the constants changed while packing
    return Packed{std::make_shared<int>(7), 64};
  });
  ASSERT_NE(once, nullptr);
  pack_counting(weights.data(), 64, packs);
  EXPECT_EQ(packs, 2);  // the first copy was not kept
  forget_constants(&owner);
}

TEST(ConstantWeights, AFailedPackCachesNothing) {
  std::vector<float> weights(16);
  int owner = 0, packs = 0;
  const ConstantRange range{weights.data(), weights.size() * sizeof(float)};
  declare_constants(&owner, {&range, 1});
  EXPECT_THROW(packed_constant(weights.data(), 64, "L", []() -> Packed { throw std::runtime_error("no kernel"); }),
               std::runtime_error);
  pack_counting(weights.data(), 64, packs);
  EXPECT_EQ(packs, 1);
  forget_constants(&owner);
}

TEST(HostCpu, PhysicalCoresAreWithinTheHardwareThreads) {
  const int cores = host_physical_cores();
  EXPECT_GE(cores, 1);
  EXPECT_LE(static_cast<unsigned>(cores), std::max(1u, std::thread::hardware_concurrency()));
  EXPECT_GE(default_num_threads(), 1);
}

}  // namespace
}  // namespace pt2run::detail
