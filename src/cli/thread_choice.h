#pragma once

#include <string>

namespace pt2run::cli {

// Threads per run for a command: `requested` (-t) when given, else the default's share of
// the physical cores among `concurrent_runs` runs at once (bench's instances, serve's models
// times instances), at least 1. Applies it (set_num_threads) and says how it was chosen, for
// the command to print.
struct ThreadChoice {
  int per_run = 1;
  std::string why;  // e.g. "16 physical cores / 2 instances"
};
ThreadChoice choose_threads(int requested, int concurrent_runs);

}  // namespace pt2run::cli
