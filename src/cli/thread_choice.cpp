#include "cli/thread_choice.h"

#include <algorithm>
#include <cstdlib>

#include "pt2run/threading.h"

namespace pt2run::cli {

ThreadChoice choose_threads(int requested, int concurrent_runs) {
  ThreadChoice c;
  if (requested > 0) {
    c.per_run = requested;
    c.why = "-t " + std::to_string(requested);
  } else if (get_num_threads() > 0) {
    c.per_run = get_num_threads();  // PT2RUN_NUM_THREADS
    c.why = "PT2RUN_NUM_THREADS=" + std::to_string(c.per_run);
  } else {
    const int cores = default_num_threads();
    const int runs = std::max(1, concurrent_runs);
    c.per_run = std::max(1, cores / runs);
    c.why = std::string(std::getenv("OMP_NUM_THREADS") ? "OMP_NUM_THREADS=" : "") + std::to_string(cores) +
            (std::getenv("OMP_NUM_THREADS") ? " threads" : " physical cores") +
            (runs > 1 ? " / " + std::to_string(runs) + " runs at once" : "");
  }
  set_num_threads(c.per_run);
  return c;
}

}  // namespace pt2run::cli
