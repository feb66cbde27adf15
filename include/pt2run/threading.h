#pragma once

#include "pt2run/export.h"

namespace pt2run {

// Threads used inside one model run: the model's own OpenMP kernels, OpenBLAS and oneDNN all
// share one OpenMP pool of this size. 0 (the default) means OpenMP's default, which honours
// OMP_NUM_THREADS (else one thread per core). The environment variable PT2RUN_NUM_THREADS, if
// set at startup, overrides that default. Takes effect at the next run() on each thread.
// Thread safety: may be called at any time from any thread.
PT2RUN_API void set_num_threads(int num_threads);
// The value last set (0: OpenMP's default).
PT2RUN_API int get_num_threads();

}  // namespace pt2run
