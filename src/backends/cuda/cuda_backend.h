#pragma once

#include "core/device_backend.h"

namespace pt2run::cuda {

// Registers the CUDA memory backend with the core (once; called when libpt2run_cuda loads).
void register_backend();

// Returns memory cached by the stream-ordered pools of every device to the driver.
void release_cached_memory();

}  // namespace pt2run::cuda

namespace pt2run::cuda {

// CUDA-graph capture cannot contain allocator calls. While a thread has an arena set, its
// allocations on the arena's device are carved from the arena (no CUDA call, so they can be
// captured; addresses are the same at every replay) and its frees of them do nothing: the
// arena's owner frees it whole. Carving starts at `used`, which must be at least
// kArenaAlignment when the arena is itself an allocation of this backend (a carved pointer
// equal to it would free it). An allocation that does not fit throws Error(OutOfMemory).
struct CaptureArena {
  int32_t device = 0;
  std::byte* base = nullptr;
  std::size_t size = 0;
  std::size_t used = 0;
};
constexpr std::size_t kArenaAlignment = 256;
// nullptr clears. The arena must outlive its use; not owned.
void set_capture_arena(CaptureArena* arena);

// While set, adds to *counter the arena bytes (rounded to kArenaAlignment) of every device
// allocation this thread makes: the arena size a captured run needs. nullptr clears.
void set_allocation_meter(std::size_t* counter);

}  // namespace pt2run::cuda
