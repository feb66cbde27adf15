#include "pt2run/threading.h"

#include <omp.h>

#include <atomic>
#include <cstdlib>

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

// OpenMP's own default for new threads, captured before pt2run changes anything.
int openmp_default() {
  static const int value = omp_get_max_threads();
  return value;
}

}  // namespace

void set_num_threads(int num_threads) { setting().store(num_threads > 0 ? num_threads : 0); }

int get_num_threads() { return setting().load(); }

namespace detail {

AppliedThreads apply_thread_setting(int max_threads) {
  // omp_set_num_threads sets the calling thread's ICV, so each thread applies it itself.
  thread_local int applied = -1;
  const int setting_now = setting().load(std::memory_order_relaxed);
  const int wanted = setting_now > 0 ? setting_now : openmp_default();
  const int effective = max_threads > 0 && wanted > max_threads ? max_threads : wanted;
  if (effective != applied) {
    omp_set_num_threads(effective);
    applied = effective;
  }
  return {wanted, effective};
}

}  // namespace detail
}  // namespace pt2run
