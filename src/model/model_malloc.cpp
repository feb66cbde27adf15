#include "model/model_malloc.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>

extern "C" void* p2rmal(std::size_t size) noexcept {
  void* block = std::malloc(size);
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  if (block == nullptr || size < 2 * kHuge) return block;
  // The whole huge pages inside the block, which nothing has touched yet. Advice only: where
  // the kernel has none to give, the block is as malloc made it.
  const auto begin = (reinterpret_cast<std::uintptr_t>(block) + kHuge - 1) & ~(kHuge - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(block) + size) & ~(kHuge - 1);
  if (end > begin) (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  return block;
}
