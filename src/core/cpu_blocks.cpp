#include "core/cpu_blocks.h"

#include <array>
#include <bit>
#include <cstdint>
#include <cstdlib>

namespace pt2run::detail {
namespace {

// Classes: every multiple of 64 up to 4 KiB, then four per doubling (a block is at most a
// quarter larger than asked) up to kMaxCachedBlock.
constexpr std::size_t kFine = 4096;
constexpr int kFineClasses = kFine / kAlignment;

struct SizeClass {
  int index;  // -1: not cached
  std::size_t bytes;
};

constexpr SizeClass size_class(std::size_t nbytes) {
  if (nbytes > SIZE_MAX - kAlignment) return {-1, 0};
  if (nbytes <= kFine) {
    const std::size_t rounded = (nbytes + kAlignment - 1) / kAlignment * kAlignment;
    return {static_cast<int>(rounded / kAlignment) - 1, rounded};
  }
  const int shift = std::bit_width(nbytes - 1) - 3;  // (nbytes - 1) >> shift is 4..7
  const std::size_t quarters = ((nbytes - 1) >> shift) + 1;
  const std::size_t bytes = quarters << shift;
  if (bytes > kMaxCachedBlock) return {-1, (nbytes + kAlignment - 1) / kAlignment * kAlignment};
  return {kFineClasses + (shift - 10) * 4 + static_cast<int>(quarters - 5), bytes};
}

constexpr int kClasses = size_class(kMaxCachedBlock).index + 1;
constexpr int kPerClass = 16;

// Trivially destructible, so that it is still readable while other thread-local and static
// objects (storages among them) are destroyed after the cache.
thread_local bool cache_gone = false;

struct Cache {
  std::array<std::array<void*, kPerClass>, kClasses> blocks{};
  std::array<int, kClasses> count{};
  std::size_t bytes = 0;

  ~Cache() {
    for (int c = 0; c < kClasses; ++c)
      for (int i = 0; i < count[c]; ++i) std::free(blocks[c][i]);
    cache_gone = true;
  }
};

Cache* cache() {
  if (!kCpuBlockCache || cache_gone) return nullptr;
  thread_local Cache c;
  return &c;
}

}  // namespace

std::size_t cpu_block_size(std::size_t nbytes) { return size_class(nbytes).bytes; }

void* allocate_cpu_block(std::size_t nbytes) {
  const SizeClass sc = size_class(nbytes);
  if (sc.bytes == 0) return nullptr;
  if (sc.index >= 0) {
    if (Cache* c = cache(); c && c->count[sc.index] > 0) {
      c->bytes -= sc.bytes;
      return c->blocks[sc.index][--c->count[sc.index]];
    }
  }
  return std::aligned_alloc(kAlignment, sc.bytes);
}

void free_cpu_block(void* block, std::size_t nbytes) {
  if (block == nullptr) return;
  const SizeClass sc = size_class(nbytes);
  if (sc.index >= 0) {
    Cache* c = cache();
    if (c && c->count[sc.index] < kPerClass && c->bytes + sc.bytes <= kMaxCachedBytes) {
      c->blocks[sc.index][c->count[sc.index]++] = block;
      c->bytes += sc.bytes;
      return;
    }
  }
  std::free(block);
}

}  // namespace pt2run::detail
