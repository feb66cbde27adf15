#pragma once

#include <cstddef>

// Large allocations of a model library on transparent huge pages.
//
// A CPU model copies its embedded weights into one block it mallocs when its container is
// created (aoti-abi.md §2.1): 100 MB and more, touched once per 4 KiB page. Where the kernel
// gives huge pages only to memory that asks for them (transparent_hugepage "madvise", the
// common default), that copy takes twice as long as it would on 2 MiB pages (ResNet-50's 96 MB:
// 86 against 40 ms on a Xeon VM): most of a large model's load. pt2run's private copy of a
// library imports p2rmal instead of malloc (ElfImage::redirect_import): glibc's malloc, then
// madvise(MADV_HUGEPAGE) over the block before anything touches it. The memory is glibc's, so
// the library's free, realloc and everything else stay as they were. pt2run's own tensors keep
// malloc's pages: advising them too (packed weights, activations) changed no run time on the
// Xeon, and asking for huge pages can stall on compaction.

namespace pt2run::detail {

// The name a model library's malloc import is redirected to (same length as "malloc").
inline constexpr const char* kModelMalloc = "p2rmal";

}  // namespace pt2run::detail

// The redirected import: malloc(size), with huge pages advised for a block of 4 MiB or more.
extern "C" __attribute__((visibility("default"))) void* p2rmal(std::size_t size) noexcept;
