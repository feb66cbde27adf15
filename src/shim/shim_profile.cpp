// The opt-in profile of aoti_torch_* calls and of the model's own profiling regions
// (pt2run/profile.h): each thread adds to its own
// table under its own lock, so profiling 16 concurrent runs does not serialize them on one
// mutex; readers merge the tables.

#include <algorithm>
#include <chrono>
#include <memory>
#include <new>
#include <mutex>
#include <string>
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

// Functions keyed by their __func__ (one static string per function); the model's own regions
// by a copy of their name, which lives in the model library and goes when it is unloaded.
struct Table {
  std::mutex mutex;
  std::unordered_map<const char*, Entry> entries;
  std::unordered_map<std::string, Entry> regions;
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

namespace {

template <class Map, class Key>
void add_to_this_thread(Map Table::*map, const Key& key, std::uint64_t ns) noexcept {
  try {
    Table& t = this_thread_table();
    std::lock_guard lock(t.mutex);
    Entry& e = (t.*map)[key];
    ++e.calls;
    e.ns += ns;
  } catch (...) {
    // Out of memory while profiling: the call goes uncounted.
  }
}

}  // namespace

void record_call(const char* function, std::uint64_t ns) noexcept { add_to_this_thread(&Table::entries, function, ns); }

void record_region(const char* name, std::uint64_t ns) noexcept { add_to_this_thread(&Table::regions, name, ns); }

namespace {

template <class Key>
void add_entries(std::unordered_map<std::string, Entry>& merged, const std::unordered_map<Key, Entry>& entries) {
  for (const auto& [name, e] : entries) {
    Entry& m = merged[name];
    m.calls += e.calls;
    m.ns += e.ns;
  }
}

// Every thread's table merged; regions (true) or functions.
std::vector<ShimCallStats> merged_profile(bool regions) {
  std::unordered_map<std::string, Entry> merged;
  auto& all = tables();
  {
    std::lock_guard lock(all.mutex);
    for (const auto& table : all.all) {
      std::lock_guard table_lock(table->mutex);
      if (regions) add_entries(merged, table->regions);
      else add_entries(merged, table->entries);
    }
  }
  std::vector<ShimCallStats> result;
  for (const auto& [name, e] : merged) result.push_back({name, e.calls, static_cast<double>(e.ns) / 1e6});
  std::sort(result.begin(), result.end(), [](const auto& a, const auto& b) { return a.total_ms > b.total_ms; });
  return result;
}

}  // namespace
}  // namespace pt2run::shim

namespace pt2run {

void set_shim_profiling(bool enabled) { shim::g_profiling.store(enabled, std::memory_order_relaxed); }

std::vector<ShimCallStats> shim_profile() { return shim::merged_profile(false); }

std::vector<ShimCallStats> region_profile() { return shim::merged_profile(true); }

void reset_shim_profile() {
  auto& tables = shim::tables();
  std::lock_guard lock(tables.mutex);
  for (const auto& table : tables.all) {
    std::lock_guard table_lock(table->mutex);
    table->entries.clear();
    table->regions.clear();
  }
}

}  // namespace pt2run

// Profiling regions: a region is timed only while profiling is on; otherwise start hands back
// a null guard and end ignores it, so a package exported with kernel profiling costs one
// atomic load per region.
struct AtenRecordFunctionOpaque {
  const char* name;  // the model library's string; copied when the region ends
  std::chrono::steady_clock::time_point start;
};

AOTITorchError aoti_record_function_start(const char* name, IValueMapHandle /*kwargs*/,
                                          const C10IValueHandle* /*inputs*/, const uint64_t /*n_inputs*/,
                                          AtenRecordFunctionHandle* guard) {
  if (guard == nullptr) return kShimFailure;
  *guard = nullptr;
  if (name == nullptr || !pt2run::shim::g_profiling.load(std::memory_order_relaxed)) return kShimSuccess;
  *guard = new (std::nothrow) AtenRecordFunctionOpaque{name, std::chrono::steady_clock::now()};
  return kShimSuccess;  // out of memory: the region goes untimed
}

AOTITorchError aoti_record_function_end(AtenRecordFunctionHandle guard) {
  if (guard == nullptr) return kShimSuccess;
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - guard->start);
  pt2run::shim::record_region(guard->name, static_cast<std::uint64_t>(ns.count()));
  delete guard;
  return kShimSuccess;
}
