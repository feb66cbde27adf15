#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "core/check.h"
#include "pt2run/tensor.h"
#include "shim/aoti_shim.h"

namespace pt2run::shim {

// The message of the last failed shim call on this thread ("" if none since clear). The
// runner reads it to explain a failed model run, since generated code only sees an error code.
PT2RUN_PLUGIN_API const std::string& last_error() noexcept;
// The first failed call's message since clear: generated code does not check every call's code
// (proxy-executor calls, for one), so a run can go on to fail later for a reason the first
// failure explains.
const std::string& first_error() noexcept;
void clear_last_error() noexcept;
PT2RUN_PLUGIN_API void set_last_error(std::string message) noexcept;

// The opt-in profile of shim calls (pt2run/profile.h): whether it is on, and one call's time.
PT2RUN_PLUGIN_API extern std::atomic<bool> g_profiling;
PT2RUN_PLUGIN_API void record_call(const char* function, std::uint64_t ns) noexcept;
void record_region(const char* name, std::uint64_t ns) noexcept;

// Times body into the profile when it is on (timed even if it throws).
class CallTimer {
 public:
  explicit CallTimer(const char* function) noexcept
      : function_(g_profiling.load(std::memory_order_relaxed) ? function : nullptr) {
    if (function_) start_ = std::chrono::steady_clock::now();
  }
  ~CallTimer() {
    if (function_)
      record_call(function_, static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                            std::chrono::steady_clock::now() - start_)
                                                            .count()));
  }
  CallTimer(const CallTimer&) = delete;
  CallTimer& operator=(const CallTimer&) = delete;

 private:
  const char* function_;
  std::chrono::steady_clock::time_point start_;
};

// Runs body; converts every exception into AOTI_TORCH_FAILURE plus a thread-local message.
// Nothing thrown ever crosses the C boundary.
template <class Body>
AOTITorchError guard(const char* function, Body&& body) noexcept {
  CallTimer timer(function);
  try {
    std::forward<Body>(body)();
    return kShimSuccess;
  } catch (const std::exception& e) {
    set_last_error(std::string(function) + ": " + e.what());
  } catch (...) {
    set_last_error(std::string(function) + ": unknown exception");
  }
  return kShimFailure;
}

// A handle is a heap-allocated pt2run::Tensor: each handle its own view, storage shared,
// as libtorch's heap at::Tensor*.
inline Tensor& tensor(AtenTensorHandle handle) {
  PT2RUN_CHECK(handle != nullptr, InvalidArgument, "null tensor handle");
  return *reinterpret_cast<Tensor*>(handle);
}

// An optional tensor argument (`Tensor?` in the op's schema): absent when the pointer or the
// handle is null, or the tensor undefined (how torch passes None).
inline const Tensor* optional_tensor(AtenTensorHandle* handle) {
  if (handle == nullptr || *handle == nullptr) return nullptr;
  const Tensor& t = tensor(*handle);
  return t.defined() ? &t : nullptr;
}

// An index list as generated code passes it: pointers to handles, null (or a null handle)
// where the index is None.
inline std::vector<const Tensor*> index_list(const AtenTensorHandle* const* indices, int64_t n) {
  PT2RUN_CHECK(n >= 0 && n <= 64 && (indices != nullptr || n == 0), InvalidArgument,
               "bad index list of length ", n);
  std::vector<const Tensor*> list;
  for (int64_t i = 0; i < n; ++i)
    list.push_back(indices[i] ? optional_tensor(const_cast<AtenTensorHandle*>(indices[i])) : nullptr);
  return list;
}

inline AtenTensorHandle release_handle(Tensor t) {
  return reinterpret_cast<AtenTensorHandle>(new Tensor(std::move(t)));
}

template <class T>
T* require_out(T* out, const char* name) {
  PT2RUN_CHECK(out != nullptr, InvalidArgument, "null output pointer '", name, "'");
  return out;
}

// Hands a new tensor to the caller through an output handle.
inline void put_result(Tensor t, AtenTensorHandle* out) { *require_out(out, "ret0") = release_handle(std::move(t)); }

}  // namespace pt2run::shim
