#include "core/constant_weights.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

namespace pt2run::detail {
namespace {

struct Owner {
  std::vector<ConstantRange> ranges;  // sorted by address
  // Packed copies by (data address, layout); dropped whenever the owner redeclares.
  std::map<std::pair<const void*, std::string>, Packed> packed;
  std::uint64_t generation = 0;
};

struct Registry {
  std::shared_mutex mutex;
  std::unordered_map<const void*, Owner> owners;
  std::uint64_t next_generation = 1;
  std::size_t bytes = 0, copies = 0;

  // The owner whose declared range holds [data, data + nbytes); needs the lock held.
  std::pair<const void*, Owner*> find(const void* data, std::size_t nbytes) {
    const auto* p = static_cast<const std::byte*>(data);
    for (auto& [key, owner] : owners) {
      auto it = std::upper_bound(owner.ranges.begin(), owner.ranges.end(), p,
                                 [](const std::byte* v, const ConstantRange& r) {
                                   return v < static_cast<const std::byte*>(r.data);
                                 });
      if (it == owner.ranges.begin()) continue;
      --it;
      const auto* begin = static_cast<const std::byte*>(it->data);
      if (p >= begin && p + nbytes <= begin + it->nbytes) return {key, &owner};
    }
    return {nullptr, nullptr};
  }

  void drop_packed(Owner& owner) {
    for (const auto& [key, copy] : owner.packed) bytes -= copy.nbytes;
    copies -= owner.packed.size();
    owner.packed.clear();
  }
};

std::atomic<bool> packing_enabled{true};

Registry& registry() {
  static Registry* r = new Registry;  // never destroyed: kernels may run during exit
  return *r;
}

}  // namespace

void declare_constants(const void* owner, std::span<const ConstantRange> ranges) {
  auto& r = registry();
  std::unique_lock lock(r.mutex);
  Owner& o = r.owners[owner];
  r.drop_packed(o);
  o.ranges.clear();
  if (packing_enabled.load()) o.ranges.assign(ranges.begin(), ranges.end());
  std::erase_if(o.ranges, [](const ConstantRange& c) { return c.data == nullptr || c.nbytes == 0; });
  std::sort(o.ranges.begin(), o.ranges.end(),
            [](const ConstantRange& a, const ConstantRange& b) { return a.data < b.data; });
  o.generation = r.next_generation++;
}

void set_packing_enabled(bool enabled) { packing_enabled.store(enabled); }

void forget_constants(const void* owner) {
  auto& r = registry();
  std::unique_lock lock(r.mutex);
  auto it = r.owners.find(owner);
  if (it == r.owners.end()) return;
  r.drop_packed(it->second);
  r.owners.erase(it);
}

bool is_constant(const void* data, std::size_t nbytes) {
  auto& r = registry();
  std::shared_lock lock(r.mutex);
  return r.find(data, nbytes).second != nullptr;
}

std::shared_ptr<void> packed_constant(const void* data, std::size_t nbytes,
                                      const std::string& layout_key,
                                      const std::function<Packed()>& pack) {
  auto& r = registry();
  std::uint64_t generation = 0;
  const void* owner_key = nullptr;
  {
    std::shared_lock lock(r.mutex);
    auto [key, owner] = r.find(data, nbytes);
    if (owner == nullptr) return nullptr;
    auto it = owner->packed.find({data, layout_key});
    if (it != owner->packed.end()) return it->second.value;
    generation = owner->generation;
    owner_key = key;
  }
  // Packed outside the lock: packing a large weight must not stall other runs.
  Packed made = pack();
  std::unique_lock lock(r.mutex);
  auto it = r.owners.find(owner_key);
  // Redeclared meanwhile: the data may have changed under the copy, so it is used once only.
  if (it == r.owners.end() || it->second.generation != generation) return made.value;
  auto [slot, inserted] = it->second.packed.try_emplace({data, layout_key}, made);
  if (inserted) {
    r.bytes += made.nbytes;
    ++r.copies;
  }
  return slot->second.value;
}

PackedStats packed_constant_stats() {
  auto& r = registry();
  std::shared_lock lock(r.mutex);
  return {r.bytes, r.copies};
}

}  // namespace pt2run::detail
