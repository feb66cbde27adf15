#include "pt2run/threading.h"

#include <omp.h>

#include <atomic>
#include <cstdlib>

#include "core/host_cpu.h"
#include "runner/threading_internal.h"

namespace pt2run {
namespace {

int initial_setting() {
  const char* env = std::getenv("PT2RUN_NUM_THREADS");
  if (env == nullptr) return 0;
  int value = std::atoi(env);
  return value > 0 ? value : 0;
}

std::atomic<int>& setting() {
  static std::atomic<int> value{initial_setting()};
  return value;
}

}  // namespace

int default_num_threads() {
  // Read once, before pt2run changes any OpenMP setting: OMP_NUM_THREADS is the user's word.
  static const int value = [] {
    const char* env = std::getenv("OMP_NUM_THREADS");
    if (env != nullptr && std::atoi(env) > 0) return omp_get_max_threads();
    return detail::host_physical_cores();
  }();
  return value;
}

void set_num_threads(int num_threads) { setting().store(num_threads > 0 ? num_threads : 0); }

int get_num_threads() { return setting().load(); }

namespace detail {

AppliedThreads apply_thread_setting(int max_threads) {
  // omp_set_num_threads sets the calling thread's ICV, so each thread applies it itself.
  thread_local int applied = -1;
  const int setting_now = setting().load(std::memory_order_relaxed);
  const int wanted = setting_now > 0 ? setting_now : default_num_threads();
  const int effective = max_threads > 0 && wanted > max_threads ? max_threads : wanted;
  if (effective != applied) {
    omp_set_num_threads(effective);
    applied = effective;
  }
  return {wanted, effective};
}

}  // namespace detail
}  // namespace pt2run
