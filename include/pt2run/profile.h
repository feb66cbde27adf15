#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pt2run/export.h"

namespace pt2run {

// Where a model's run time goes: time spent inside each aoti_torch_* function pt2run provides
// (the ops it runs for the model: convolutions, GEMMs, attention, allocation, copies), so that
// the rest of a run's time is the model's own generated kernels. Off by default; while off it
// costs one relaxed atomic load per call. Times are wall time per call, summed over every
// thread that calls (so 16 concurrent runs add up 16 runs' time).
// Thread safety: all functions may be called from any thread at any time.
struct ShimCallStats {
  std::string function;  // e.g. "aoti_torch_cpu_convolution", or a region's name
  std::uint64_t calls = 0;
  double total_ms = 0;
};
PT2RUN_API void set_shim_profiling(bool enabled);
// Every function called since the last reset, the most time first.
PT2RUN_API std::vector<ShimCallStats> shim_profile();
// A package exported with torch._inductor.config.cpp.enable_kernel_profile = True marks each
// generated kernel and each fallback call as a profiling region (aoti_record_function_start /
// _end). With profiling on, these are the regions run since the last reset, by the names
// Inductor gave them (e.g. "graph_1_cpp_fused_relu_1"), the most time first. A region that
// wraps a fallback call includes that call's time: regions and functions overlap.
PT2RUN_API std::vector<ShimCallStats> region_profile();
PT2RUN_API void reset_shim_profile();

}  // namespace pt2run
