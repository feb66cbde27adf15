#pragma once

// The Philox counters torch keeps per CUDA device (CUDAGeneratorImpl): the process seed
// (pt2run::manual_seed seeds every device, as torch.manual_seed does) and an offset each random
// op advances by the counters its threads may use. A device backend's random kernels take their
// (seed, offset) here, so after manual_seed(s) a model draws what torch's kernels draw after
// torch.manual_seed(s), call for call.
//
// Thread safety: reservations are locked; concurrent runs reserve in an unspecified order.

#include <cstdint>

#include "pt2run/export.h"

namespace pt2run::detail {

// torch's default seed, before any manual_seed.
constexpr uint64_t kDefaultSeed = 67280421310721ULL;

struct PhiloxReservation {
  uint64_t seed = 0;
  uint64_t offset = 0;  // the first counter value the op's threads start from
};

// Reserves `increment` counter values (a multiple of 4, as torch requires) of `device`'s stream.
PT2RUN_PLUGIN_API PhiloxReservation reserve_philox(int32_t device, uint64_t increment);

// manual_seed's part: the seed, and every device's offset back to 0.
void reset_philox(uint64_t seed);

}  // namespace pt2run::detail
