#include "core/host_staging.h"

#include <algorithm>
#include <cstring>

#include "core/check.h"
#include "core/device_backend.h"
#include "core/layout.h"
#include "core/storage.h"

namespace pt2run::detail {
namespace {

// The bytes [first, last) of its storage a tensor's elements occupy; empty for no elements.
std::pair<std::size_t, std::size_t> byte_span(const Tensor& t) {
  if (t.numel() == 0) return {0, 0};
  int64_t last = t.storage_offset();
  for (int64_t d = 0; d < t.dim(); ++d) last += (t.size(d) - 1) * t.stride(d);
  const std::size_t esize = t.element_size();
  return {static_cast<std::size_t>(t.storage_offset()) * esize,
          static_cast<std::size_t>(last + 1) * esize};
}

// An uint8 view of bytes [lo, hi) of a storage, for raw copies through the device backend.
Tensor bytes_of(const std::shared_ptr<Storage>& storage, std::size_t lo, std::size_t hi) {
  return Tensor(storage, {static_cast<int64_t>(hi - lo)}, {1}, static_cast<int64_t>(lo),
                DType::UInt8);
}

}  // namespace

HostStaging::Range* HostStaging::find(const Storage* device) {
  for (Range& r : ranges_)
    if (r.device.get() == device) return &r;
  return nullptr;
}

const HostStaging::Range* HostStaging::find_host(const Storage* host) const {
  for (const Range& r : ranges_)
    if (r.host.get() == host) return &r;
  return nullptr;
}

void HostStaging::add(const Tensor& t) {
  PT2RUN_CHECK(!staged_, Internal, op_, ": host staging got a tensor after stage()");
  if (!t.defined() || t.device().is_cpu()) return;
  if (!device_) device_ = t.device();
  auto [first, last] = byte_span(t);
  Range* r = find(t.storage().get());
  if (!r) r = &ranges_.emplace_back(Range{t.storage(), 0, 0, nullptr, {}});
  if (first == last) return;  // no elements: nothing to copy
  const std::size_t lo = first - first % kAlign;
  const bool empty = r->lo == r->hi;
  r->lo = empty ? lo : std::min(r->lo, lo);
  r->hi = empty ? last : std::max(r->hi, last);
}

void HostStaging::stage() {
  PT2RUN_CHECK(!staged_, Internal, op_, ": staged twice");
  staged_ = true;
  if (!device_) return;
  DeviceBackend& backend = device_backend(device_->type);
  PT2RUN_CHECK(!backend.capturing(device_->index), NotImplemented, op_, " has no ", device_->str(),
               " kernel in pt2run and runs on host copies, which a graph capture cannot contain; "
               "run this model without CUDA graphs");
  for (Range& r : ranges_) {
    r.host = allocate_cpu_storage(r.hi - r.lo);
    if (r.hi == r.lo) continue;
    backend.copy(bytes_of(r.host, 0, r.hi - r.lo), bytes_of(r.device, r.lo, r.hi));
    const auto* bytes = static_cast<const std::byte*>(r.host->data);
    r.before.assign(bytes, bytes + (r.hi - r.lo));
  }
}

Tensor HostStaging::host(const Tensor& t) const {
  if (!t.defined() || t.device().is_cpu()) return t;
  PT2RUN_CHECK(staged_, Internal, op_, ": host() before stage()");
  for (const Range& r : ranges_) {
    if (r.device.get() != t.storage().get()) continue;
    if (t.numel() == 0)
      return Tensor::empty_strided(sizes_of(t), {t.strides().begin(), t.strides().end()},
                                   t.dtype());
    const auto offset = static_cast<int64_t>(
        (static_cast<std::size_t>(t.storage_offset()) * t.element_size() - r.lo) /
        t.element_size());
    return Tensor(r.host, sizes_of(t), {t.strides().begin(), t.strides().end()}, offset, t.dtype());
  }
  detail::fail(ErrorCode::Internal, op_, ": host staging was not given ", t.describe());
}

void HostStaging::write_back() {
  if (!device_) return;
  DeviceBackend& backend = device_backend(device_->type);
  for (Range& r : ranges_) {
    const std::size_t n = r.hi - r.lo;
    if (n == 0) continue;
    const auto* now = static_cast<const std::byte*>(r.host->data);
    std::size_t first = 0;
    while (first < n && now[first] == r.before[first]) ++first;
    if (first == n) continue;
    std::size_t last = n;
    while (now[last - 1] == r.before[last - 1]) --last;
    backend.copy(bytes_of(r.device, r.lo + first, r.lo + last), bytes_of(r.host, first, last));
  }
}

Tensor HostStaging::to_device(const Tensor& host_result) const {
  if (!device_ || !host_result.defined() || !host_result.device().is_cpu()) return host_result;
  std::vector<int64_t> strides{host_result.strides().begin(), host_result.strides().end()};
  if (const Range* r = find_host(host_result.storage().get())) {
    const std::size_t byte =
        static_cast<std::size_t>(host_result.storage_offset()) * host_result.element_size() + r->lo;
    return Tensor(r->device, sizes_of(host_result), std::move(strides),
                  static_cast<int64_t>(byte / host_result.element_size()), host_result.dtype());
  }
  Tensor out = Tensor::empty_strided(sizes_of(host_result), std::move(strides), host_result.dtype(),
                                     *device_);
  out.copy_(host_result);
  return out;
}

}  // namespace pt2run::detail
