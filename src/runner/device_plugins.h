#pragma once

#include <string>

namespace pt2run::detail {

// Loads the device backend library for `device` ("cuda" -> libpt2run_cuda.so), looked for next
// to libpt2run first, then on the loader's search path; it registers its runner and memory
// backend as it loads. Returns "" on success (or when already loaded), else the loader's reason.
std::string load_device_plugin(const std::string& device);

// Registers the runner for `device` if a plugin provides it and it is not registered yet
// (the package loader and inspect both judge packages this way). Returns "" when nothing was
// needed or loading worked, else the loader's reason.
std::string load_device_plugin_if_needed(const std::string& device);

}  // namespace pt2run::detail
