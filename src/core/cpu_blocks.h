#pragma once

#include <cstddef>

namespace pt2run::detail {

// 64-byte aligned CPU memory for tensor storage. A model asks for the same buffers on every
// run, and glibc serves aligned requests outside its per-thread cache, splitting and merging
// chunks each time (a fifth of a small model's run). So blocks of up to kMaxCachedBlock bytes
// freed by a thread are kept by that thread, by size class, and handed out again to its next
// request of that class; at most kMaxCachedBytes a thread, returned to the system when the
// thread ends. Builds with AddressSanitizer keep none, so that a use after free stays visible.
inline constexpr std::size_t kAlignment = 64;
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kCpuBlockCache = false;
#else
inline constexpr bool kCpuBlockCache = true;
#endif
inline constexpr std::size_t kMaxCachedBlock = std::size_t{256} << 10;
inline constexpr std::size_t kMaxCachedBytes = std::size_t{4} << 20;

// nbytes > 0. Returns nullptr where the system has no memory (or nbytes does not fit).
void* allocate_cpu_block(std::size_t nbytes);
// A block of allocate_cpu_block, with the nbytes it was asked for; null is ignored. Any thread.
void free_cpu_block(void* block, std::size_t nbytes);

// The bytes a request of nbytes actually takes (its size class; nbytes rounded up to 64 beyond
// the cached sizes). Exposed for the tests; 0 where nbytes does not fit.
std::size_t cpu_block_size(std::size_t nbytes);

}  // namespace pt2run::detail
