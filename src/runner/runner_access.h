#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "pt2run/runner.h"
#include "runner/constant_buffers.h"

namespace pt2run::detail {

// What the package loader tells a runner beyond the public API.
struct RunnerAccess {
  // Constant layouts recorded in the package, for libraries that ship without weights.
  static void add_constant_layouts(AOTIModelContainerRunner& runner,
                                   const std::map<std::string, ConstantLayout>& layouts);
  // Loads binary_blob weights from memory (a mapped package entry).
  static void load_blob(AOTIModelContainerRunner& runner, const uint8_t* data, uint64_t size,
                        const std::string& what);
};

}  // namespace pt2run::detail
