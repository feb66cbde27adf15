#pragma once

namespace pt2run::detail {

// Applies pt2run::set_num_threads to the calling thread's OpenMP pool; cheap when unchanged.
void apply_thread_setting();

}  // namespace pt2run::detail
