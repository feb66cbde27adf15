// pt2run/random.h's seeding, and the generators it seeds: the CPU generator
// (core/cpu_generator.h) and every device's Philox counters (core/philox_state.h).

#include "core/cpu_generator.h"
#include "core/philox_state.h"
#include "pt2run/random.h"

namespace pt2run {

namespace detail {

CpuGenerator& cpu_generator() {
  static CpuGenerator g;
  return g;
}

}  // namespace detail

void manual_seed(uint64_t seed) {
  detail::CpuGenerator& g = detail::cpu_generator();
  std::lock_guard lock(g.mutex);
  g.seed = seed;
  g.engine.seed(static_cast<uint32_t>(seed));
  g.next_double_normal.reset();
  detail::reset_philox(seed);
}

uint64_t initial_seed() {
  detail::CpuGenerator& g = detail::cpu_generator();
  std::lock_guard lock(g.mutex);
  return g.seed;
}

}  // namespace pt2run
