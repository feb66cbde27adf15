#include "runner/device_plugins.h"

#include <dlfcn.h>

#include <mutex>

#include "pt2run/runner.h"
#include "pt2run/version.h"

namespace pt2run::detail {

std::string load_device_plugin(const std::string& device) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  // By SONAME: an install (or the Debian package) ships a plugin without a link name.
  const std::string name = "libpt2run_" + device + ".so." + std::to_string(PT2RUN_VERSION_MAJOR);
  std::string next_to_us;
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&load_device_plugin), &info) != 0 && info.dli_fname) {
    std::string self = info.dli_fname;
    auto slash = self.rfind('/');
    if (slash != std::string::npos) next_to_us = self.substr(0, slash + 1) + name;
  }
  // RTLD_GLOBAL: model libraries resolve the plugin's aoti_torch_cuda_* functions and the CUDA
  // runtime it brings through the global scope.
  std::string reason;
  for (const std::string& candidate : {next_to_us, name}) {
    if (candidate.empty()) continue;
    if (dlopen(candidate.c_str(), RTLD_NOW | RTLD_GLOBAL) != nullptr) return "";
    const char* error = dlerror();
    reason += (reason.empty() ? "" : "; ") + std::string(error ? error : candidate + ": not loadable");
  }
  return reason;
}

std::string load_device_plugin_if_needed(const std::string& device) {
  // The devices pt2run ships a plugin for.
  if (device != "cuda" || getAOTIModelRunnerRegistry().contains(device)) return "";
  return load_device_plugin(device);
}

}  // namespace pt2run::detail
