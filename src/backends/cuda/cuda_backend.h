#pragma once

#include "core/device_backend.h"

namespace pt2run::cuda {

// Registers the CUDA memory backend with the core (once; called when libpt2run_cuda loads).
void register_backend();

// Returns memory cached by the stream-ordered pools of every device to the driver.
void release_cached_memory();

}  // namespace pt2run::cuda
