#pragma once

// NVIDIA's math libraries (cuBLAS, cuDNN) are loaded at run time: a build needs only their
// headers, and a deployment needs each one only when a model uses it.

#include <cuda_runtime_api.h>
#include <dlfcn.h>

#include <cstdint>
#include <type_traits>
#include <unordered_map>

#include "core/check.h"

namespace pt2run::cuda {

// dlopen's `soname` or throws Error(UnsupportedPackage) saying what needed it and how to
// install it.
inline void* open_library(const char* soname, const char* needed_for, const char* install_hint) {
  void* lib = dlopen(soname, RTLD_NOW | RTLD_GLOBAL);
  PT2RUN_CHECK(lib != nullptr, UnsupportedPackage, "the model ", needed_for, " but ", soname,
               " could not be loaded (", dlerror(), "): ", install_hint);
  return lib;
}

template <typename Fn>
void resolve_symbol(void* lib, const char* soname, Fn& fn, const char* name) {
  fn = reinterpret_cast<Fn>(dlsym(lib, name));
  PT2RUN_CHECK(fn != nullptr, UnsupportedPackage, soname, " lacks ", name,
               " (a library too old for pt2run)");
}

// One library handle per thread and device (cuBLAS and cuDNN handles are not thread-safe),
// destroyed when the thread ends. The main thread's go before the CUDA runtime's exit
// handlers, which were registered earlier (at the first CUDA call), so the context is alive.
template <typename Handle, typename Destroy>
class ThreadHandles {
 public:
  explicit ThreadHandles(Destroy destroy) : destroy_(destroy) {}
  ThreadHandles(const ThreadHandles&) = delete;
  ThreadHandles& operator=(const ThreadHandles&) = delete;
  ~ThreadHandles() {
    for (auto& [device, handle] : handles_) {
      int previous = 0;
      (void)cudaGetDevice(&previous);
      (void)cudaSetDevice(device);
      (void)destroy_(handle);
      (void)cudaSetDevice(previous);
    }
  }
  // The handle for `device`, created by create() (which runs with `device` current) on first use.
  template <typename Create>
  Handle get(int32_t device, Create&& create) {
    auto it = handles_.find(device);
    if (it != handles_.end()) return it->second;
    Handle handle = create();
    handles_.emplace(device, handle);
    return handle;
  }

 private:
  Destroy destroy_;
  std::unordered_map<int32_t, Handle> handles_;
};

}  // namespace pt2run::cuda
