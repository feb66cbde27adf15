#pragma once

// The most threads a model's generated CPU kernels can run with. Inductor sizes the per-thread
// accumulators of a parallel reduction by the exporting machine's thread count
// (`float tmp_acc0_arr[2];` on a 2-core machine) and indexes them by omp_get_thread_num(): a
// run with more OpenMP threads writes past those stack arrays. libtorch crashes the same way;
// pt2run reads the bound from the kernel source the package carries and never runs more.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pt2run::detail {

class Pt2Package;
struct ModelFiles;

// The smallest per-thread accumulator array size declared in `source`; nullopt if it declares
// none (the model then runs with any number of threads).
std::optional<int> kernel_thread_bound(std::string_view source);

// The bound of a packaged model, from its kernel and wrapper sources; nullopt if they declare
// none. `known` is false when the package carries no source to read it from.
struct ThreadBound {
  std::optional<int> max_threads;
  bool known = false;
};
ThreadBound package_thread_bound(const Pt2Package& package, const ModelFiles& model);

// The generated sources AOTInductor leaves beside a model library outside a package
// (<hash>.wrapper.cpp, <hash>.kernel.cpp); empty when there are none (or it came from a
// package: "/proc/self/fd/N").
struct LibrarySources {
  std::string wrapper;               // "" if none
  std::vector<std::string> kernels;  // every *.kernel.cpp and *.wrapper.cpp
};
LibrarySources library_sources(const std::string& library_path);
// The bound of such sources.
ThreadBound sources_thread_bound(const LibrarySources& sources);

}  // namespace pt2run::detail
