#pragma once

#include <string>
#include <vector>

namespace pt2run::cli {

// --custom-ops LIB.so: loads each shared library, whose static initializers register C++
// implementations of custom ops with pt2run::register_op (docs/custom_ops.md). Throws
// UsageError naming the library when it cannot be loaded or registers no operator. Libraries
// stay loaded for the life of the process: their kernels are called by the models.
void load_custom_op_libraries(const std::vector<std::string>& paths);

}  // namespace pt2run::cli
