#include "cli/custom_op_libraries.h"

#include <dlfcn.h>

#include <cstdio>

#include "cli/commands.h"
#include "pt2run/custom_ops.h"

namespace pt2run::cli {

void load_custom_op_libraries(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    const std::size_t before = registered_op_schemas().size();
    // A path without a slash would make dlopen search the library path: load what was named.
    const std::string target = path.find('/') == std::string::npos ? "./" + path : path;
    void* handle = dlopen(target.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = dlerror();
      throw UsageError{"--custom-ops " + path + ": cannot load it as a shared library: " + (why ? why : "unknown error"),
                       "pass a .so built against pt2run that registers its ops with pt2run::register_op "
                       "(docs/custom_ops.md)"};
    }
    const std::size_t added = registered_op_schemas().size() - before;
    if (added == 0) {
      throw UsageError{"--custom-ops " + path + ": the library registered no operator",
                       "register each op with pt2run::register_op from a static initializer in the library "
                       "(docs/custom_ops.md)"};
    }
    std::fprintf(stderr, "pt2run: %s registered %zu custom op(s)\n", path.c_str(), added);
  }
}

}  // namespace pt2run::cli
