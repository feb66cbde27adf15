// The opt-in profile of aoti_torch_* calls (pt2run/profile.h): each thread adds to its own
// table under its own lock, so profiling 16 concurrent runs does not serialize them on one
// mutex; readers merge the tables.

#include <algorithm>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "pt2run/profile.h"
#include "shim/shim_guard.h"

namespace pt2run::shim {
namespace {

struct Entry {
  std::uint64_t calls = 0;
  std::uint64_t ns = 0;
};

// Keyed by the function's __func__: one static string per function.
struct Table {
  std::mutex mutex;
  std::unordered_map<const char*, Entry> entries;
};

struct Tables {
  std::mutex mutex;
  std::vector<std::shared_ptr<Table>> all;  // kept after their threads end: their counts stay
};

Tables& tables() {
  static Tables* t = new Tables;  // never destroyed: calls may come during exit
  return *t;
}

Table& this_thread_table() {
  thread_local std::shared_ptr<Table> table = [] {
    auto t = std::make_shared<Table>();
    std::lock_guard lock(tables().mutex);
    tables().all.push_back(t);
    return t;
  }();
  return *table;
}

}  // namespace

std::atomic<bool> g_profiling{false};

void record_call(const char* function, std::uint64_t ns) noexcept {
  try {
    Table& t = this_thread_table();
    std::lock_guard lock(t.mutex);
    Entry& e = t.entries[function];
    ++e.calls;
    e.ns += ns;
  } catch (...) {
    // Out of memory while profiling: the call goes uncounted.
  }
}

}  // namespace pt2run::shim

namespace pt2run {

void set_shim_profiling(bool enabled) { shim::g_profiling.store(enabled, std::memory_order_relaxed); }

std::vector<ShimCallStats> shim_profile() {
  std::unordered_map<const char*, shim::Entry> merged;
  auto& tables = shim::tables();
  std::lock_guard lock(tables.mutex);
  for (const auto& table : tables.all) {
    std::lock_guard table_lock(table->mutex);
    for (const auto& [function, e] : table->entries) {
      merged[function].calls += e.calls;
      merged[function].ns += e.ns;
    }
  }
  std::vector<ShimCallStats> result;
  for (const auto& [function, e] : merged)
    result.push_back({function, e.calls, static_cast<double>(e.ns) / 1e6});
  std::sort(result.begin(), result.end(), [](const auto& a, const auto& b) { return a.total_ms > b.total_ms; });
  return result;
}

void reset_shim_profile() {
  auto& tables = shim::tables();
  std::lock_guard lock(tables.mutex);
  for (const auto& table : tables.all) {
    std::lock_guard table_lock(table->mutex);
    table->entries.clear();
  }
}

}  // namespace pt2run
