#pragma once

namespace pt2run::detail {

struct AppliedThreads {
  int wanted = 0;     // what set_num_threads (or OpenMP's default) asks for
  int effective = 0;  // what the calling thread's OpenMP pool now has
};

// Applies pt2run::set_num_threads to the calling thread's OpenMP pool, never above
// `max_threads` (a model's bound; 0 for none); cheap when unchanged.
AppliedThreads apply_thread_setting(int max_threads = 0);

}  // namespace pt2run::detail
