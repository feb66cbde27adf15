#include "model/thread_exit.h"

#include <dlfcn.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <vector>

namespace pt2run::detail {
namespace {

struct Destructor {
  void (*run)(void*);
  void* object;
  const void* library_base;
};

struct ThreadDestructors;

// One lock for every thread's list: a thread exiting and a library unloading may meet.
std::mutex& registry_mutex() {
  static auto* mutex = new std::mutex;  // never destroyed: threads may exit after main
  return *mutex;
}
std::set<ThreadDestructors*>& live_threads() {
  static auto* threads = new std::set<ThreadDestructors*>;
  return *threads;
}

// A thread's recorded destructors; runs them (last recorded first) when the thread exits.
struct ThreadDestructors {
  std::vector<Destructor> entries;
  ThreadDestructors() { live_threads().insert(this); }  // constructed under registry_mutex()
  ~ThreadDestructors() {
    std::lock_guard lock(registry_mutex());
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) it->run(it->object);
    live_threads().erase(this);
  }
};

const void* library_base_of(const void* address) {
  Dl_info info{};
  return dladdr(address, &info) != 0 ? info.dli_fbase : nullptr;
}

}  // namespace

void run_thread_destructors_of(const void* library_base) {
  std::lock_guard lock(registry_mutex());
  for (ThreadDestructors* thread : live_threads()) {
    auto& entries = thread->entries;
    for (auto it = entries.rbegin(); it != entries.rend(); ++it)
      if (it->library_base == library_base) it->run(it->object);
    std::erase_if(entries, [&](const Destructor& d) { return d.library_base == library_base; });
  }
}

}  // namespace pt2run::detail

extern "C" int pt2run_model_atexit(void (*destructor)(void*), void* object, void* dso_symbol) noexcept {
  using namespace pt2run::detail;
  const void* base = library_base_of(dso_symbol);
  std::lock_guard lock(registry_mutex());
  try {
    thread_local ThreadDestructors mine;
    mine.entries.push_back({destructor, object, base});
  } catch (...) {
    // Out of memory: the object is not destroyed (what the ABI allows), nothing else breaks.
  }
  return 0;
}
