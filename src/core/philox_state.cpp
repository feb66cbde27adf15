#include "core/philox_state.h"

#include <map>
#include <mutex>

#include "core/check.h"

namespace pt2run::detail {
namespace {

struct PhiloxState {
  std::mutex mutex;
  uint64_t seed = kDefaultSeed;
  std::map<int32_t, uint64_t> offsets;
};

PhiloxState& state() {
  static PhiloxState s;
  return s;
}

}  // namespace

PhiloxReservation reserve_philox(int32_t device, uint64_t increment) {
  PT2RUN_CHECK(increment % 4 == 0, Internal, "a Philox reservation must be a multiple of 4, got ", increment);
  PhiloxState& s = state();
  std::lock_guard lock(s.mutex);
  uint64_t& offset = s.offsets[device];
  const PhiloxReservation r{s.seed, offset};
  offset += increment;
  return r;
}

void reset_philox(uint64_t seed) {
  PhiloxState& s = state();
  std::lock_guard lock(s.mutex);
  s.seed = seed;
  s.offsets.clear();
}

}  // namespace pt2run::detail
