#pragma once

#include "pt2run/export.h"

namespace pt2run {

// Threads used inside one model run: the model's own OpenMP kernels and oneDNN's GEMMs and
// convolutions share one OpenMP pool of this size. 0 (the default) means
// default_num_threads(). The environment variable PT2RUN_NUM_THREADS, if set at startup,
// replaces that default. Takes effect at the next run() on each thread. A model compiled for
// fewer threads runs with its bound (ModelInfo::max_threads).
// Thread safety: may be called at any time from any thread.
PT2RUN_API void set_num_threads(int num_threads);
// The value last set (0: default_num_threads()).
PT2RUN_API int get_num_threads();
// What 0 means: OMP_NUM_THREADS if set, else the physical cores this process may run on
// (its CPU affinity, SMT siblings counted once), the count at which one run is fastest.
// Callers that run several models at once divide it (pt2run bench and serve do).
PT2RUN_API int default_num_threads();

}  // namespace pt2run
