#include "runner/constant_buffers.h"

#include <algorithm>

#include "core/check.h"
#include "core/constant_weights.h"
#include "shim/input_handles.h"
#include "shim/shim_guard.h"

namespace pt2run::detail {
namespace {

using ConstantHandleMap = std::unordered_map<std::string, AtenTensorHandle>;

std::string join_labels(const std::vector<const ConstantInfo*>& items) {
  std::string out;
  for (const ConstantInfo* c : items) out += (out.empty() ? "" : ", ") + c->label();
  return out;
}

std::string dims(std::span<const int64_t> values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + std::to_string(values[i]);
  return out + "]";
}

// Strides agree wherever they matter: a dimension of size 1 is never stepped over.
bool same_strides(const Tensor& t, const std::vector<int64_t>& strides) {
  if (static_cast<std::size_t>(t.dim()) != strides.size()) return false;
  for (int64_t d = 0; d < t.dim(); ++d)
    if (t.size(d) > 1 && t.stride(d) != strides[static_cast<std::size_t>(d)]) return false;
  return true;
}

void delete_handle(AtenTensorHandle h) { delete reinterpret_cast<Tensor*>(h); }

}  // namespace

class ConstantBuffers::ExclusiveScope {
 public:
  explicit ExclusiveScope(ConstantBuffers& buffers) : buffers_(buffers) {
    buffers_.exclusive_waiting_.fetch_add(1, std::memory_order_acq_rel);
  }
  ~ExclusiveScope() {
    {
      std::lock_guard lock(buffers_.gate_mutex_);
      buffers_.exclusive_waiting_.fetch_sub(1, std::memory_order_acq_rel);
    }
    buffers_.gate_open_.notify_all();
  }
  ExclusiveScope(const ExclusiveScope&) = delete;
  ExclusiveScope& operator=(const ExclusiveScope&) = delete;

 private:
  ConstantBuffers& buffers_;
};

void ConstantBuffers::wait_for_exclusive() const {
  std::unique_lock lock(gate_mutex_);
  gate_open_.wait(lock, [&] { return exclusive_waiting_.load(std::memory_order_acquire) == 0; });
}

ConstantBuffers::ConstantBuffers(const Container& container, Device device)
    : container_(container), device_(device) {
  const ContainerApi& api = container_.api;
  auto* h = container_.handle;
  std::size_t n = 0;
  container_.check(api.get_num_constants(h, &n), "GetNumConstants");
  constants_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    ConstantInfo& c = constants_[i];
    c.index = i;
    const char* text = nullptr;
    container_.check(api.get_constant_name(h, i, &text), "GetConstantName");
    c.name = text ? text : "";
    text = nullptr;
    container_.check(api.get_constant_original_fqn(h, i, &text), "GetConstantOriginalFQN");
    c.fqn = text ? text : "";
    int32_t code = 0;
    container_.check(api.get_constant_dtype(h, i, &code), "GetConstantDtype");
    auto dtype = dtype_from_code(code);
    PT2RUN_CHECK(dtype.has_value(), UnsupportedPackage, "constant '", c.name, "' of model library '",
                 container_.library_name, "' has dtype code ", code, ", which pt2run does not know");
    c.dtype = *dtype;
    if (api.get_constant_from_folded)
      container_.check(api.get_constant_from_folded(h, i, &c.from_folded), "GetConstantFromFolded");
    if (api.get_constant_type) container_.check(api.get_constant_type(h, i, &c.type), "GetConstantType");
    if (api.get_constant_data_size) {
      std::size_t size = 0;
      container_.check(api.get_constant_data_size(h, i, &size), "GetConstantDataSize");
      c.data_size = size;
    }
    by_name_.emplace(c.name, i);
    by_fqn_.emplace(c.fqn, i);  // the first, as the library's map keeps it
    all_by_fqn_[c.fqn].push_back(i);
  }
  can_extract_ = api.extract_constants_map != nullptr;
  std::lock_guard lock(mutex_);
  if (can_extract_) {
    present_[active_] = names_in_container(false);
    learn_layouts_from_active();
  } else {
    // Libraries older than torch 2.8 cannot show their buffers; they embed their weights.
    for (const auto& c : constants_) present_[active_].insert(c.name);
  }
  refresh_ready();
}

ConstantBuffers::~ConstantBuffers() {
  forget_constants(this);
  for (auto& buffer : user_managed_)
    for (auto& [name, handle] : buffer) delete_handle(handle);
  for (AtenTensorHandle handle : unmatched_user_managed_) delete_handle(handle);
}

const ConstantInfo* ConstantBuffers::find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &constants_[it->second];
}

void ConstantBuffers::add_layouts(const std::map<std::string, ConstantLayout>& by_name) {
  std::lock_guard lock(mutex_);
  for (auto& c : constants_) {
    auto it = by_name.find(c.name);
    if (!c.layout && it != by_name.end()) c.layout = it->second;
  }
}

std::vector<std::pair<std::size_t, AtenTensorHandle>> ConstantBuffers::container_entries(
    bool use_inactive) const {
  ConstantHandleMap map;
  shim::clear_last_error();
  container_.check(container_.api.extract_constants_map(
                       container_.handle, reinterpret_cast<AOTInductorConstantMapHandle>(&map),
                       use_inactive),
                   "ExtractConstantsMap");
  std::vector<std::pair<std::size_t, AtenTensorHandle>> entries;
  for (const auto& [fqn, handle] : map) {
    auto it = by_fqn_.find(fqn);
    if (handle != nullptr && it != by_fqn_.end()) entries.emplace_back(it->second, handle);
  }
  return entries;
}

std::set<std::string> ConstantBuffers::names_in_container(bool use_inactive) const {
  // The map shows one constant per FQN; the library holds data for every constant of that FQN.
  std::set<std::string> names;
  for (const auto& [index, handle] : container_entries(use_inactive))
    for (std::size_t i : all_by_fqn_.at(constants_[index].fqn)) names.insert(constants_[i].name);
  return names;
}

// The kernels read each constant with the layout the library created it with.
void ConstantBuffers::learn_layouts_from_active() {
  if (!can_extract_) return;
  for (const auto& [index, handle] : container_entries(false)) {
    ConstantInfo& c = constants_[index];
    if (c.layout) continue;
    const Tensor& t = *reinterpret_cast<Tensor*>(handle);
    c.layout = ConstantLayout{{t.sizes().begin(), t.sizes().end()}, {t.strides().begin(), t.strides().end()}};
  }
}

std::vector<const ConstantInfo*> ConstantBuffers::missing_data(int buffer) const {
  std::vector<const ConstantInfo*> missing;
  for (const auto& c : constants_)
    if (c.needs_data() && !present_[buffer].contains(c.name)) missing.push_back(&c);
  return missing;
}

void ConstantBuffers::refresh_ready() {
  active_ready_.store(missing_data(active_).empty(), std::memory_order_release);
  declare_active();
}

// Kernels keep packed copies of constant weights (core/constant_weights.h); every change to
// the active buffer redeclares it, which drops the copies made from the previous data.
void ConstantBuffers::declare_active() {
  if (!can_extract_ || !device_.is_cpu()) return;
  std::vector<ConstantRange> ranges;
  for (const auto& [index, handle] : container_entries(false)) {
    const std::string& name = constants_[index].name;
    if (!present_[active_].contains(name) || caller_memory_[active_].contains(name)) continue;
    const Tensor& t = *reinterpret_cast<const Tensor*>(handle);
    if (t.device().is_cpu() && t.numel() > 0) ranges.push_back({t.data_ptr(), t.nbytes()});
  }
  declare_constants(this, ranges);
}

void ConstantBuffers::throw_not_ready(const char* what) const {
  std::lock_guard lock(mutex_);
  auto missing = missing_data(active_);
  if (missing.empty()) return;  // a swap made it ready meanwhile
  fail(ErrorCode::InvalidState, "cannot ", what, ": the active constant buffer of model library '",
       container_.library_name, "' has no data for ", missing.size(), " constant(s): ",
       join_labels(missing),
       ". Load them first (update_constant_buffer / AOTIModelPackageLoader::load_constants; "
       "packages exported with package_constants_in_so=False ship no weights)");
}

void ConstantBuffers::validate(const TensorConstantMap& tensors, bool use_inactive,
                               bool validate_full_update, bool user_managed) const {
  std::vector<std::string> unknown;
  for (const auto& [name, tensor] : tensors) {
    const ConstantInfo* c = find(name);
    if (c == nullptr) {
      unknown.push_back(name);
      continue;
    }
    PT2RUN_CHECK(tensor != nullptr && tensor->defined(), InvalidArgument, "constant ", c->label(),
                 " is null or undefined");
    PT2RUN_CHECK(!c->from_folded, InvalidArgument, "constant ", c->label(),
                 " is computed by the model's constant folding; update the constants it is "
                 "folded from instead");
    PT2RUN_CHECK(tensor->dtype() == c->dtype, DTypeMismatch, "constant ", c->label(), " must be ",
                 dtype_name(c->dtype), ", got ", tensor->describe());
    PT2RUN_CHECK(tensor->device().type == device_.type, DeviceMismatch, "constant ", c->label(),
                 " is on ", tensor->device().str(), " but the model runs on ", device_.str());
    if (c->layout) {
      const auto& want = c->layout->sizes;
      PT2RUN_CHECK(std::equal(want.begin(), want.end(), tensor->sizes().begin(), tensor->sizes().end()),
                   ShapeMismatch, "constant ", c->label(), " must have shape ", dims(want),
                   ", got ", tensor->describe());
      PT2RUN_CHECK(!user_managed || same_strides(*tensor, c->layout->strides), InvalidArgument,
                   "user-managed constant ", c->label(), " has strides ", dims(tensor->strides()),
                   " but the model's kernels read it with strides ", dims(c->layout->strides),
                   ". Pass a tensor with that layout, or update without user_managed (the "
                   "runner then copies it into that layout)");
    } else {
      PT2RUN_CHECK(!c->data_size || tensor->nbytes() <= *c->data_size, ShapeMismatch, "constant ",
                   c->label(), " has room for ", *c->data_size, " bytes, got ", tensor->describe());
      PT2RUN_CHECK(!user_managed || tensor->is_contiguous(), InvalidArgument, "user-managed constant ",
                   c->label(), " must be contiguous: the model library does not record the layout "
                   "its kernels expect");
    }
  }
  if (!unknown.empty()) {
    std::sort(unknown.begin(), unknown.end());
    std::string list;
    for (const auto& n : unknown) list += (list.empty() ? "" : ", ") + n;
    fail(ErrorCode::NotFound, "the model has no constant(s) named ", list,
         " (keys are internal names; see getConstantNamesToOriginalFQNs)");
  }
  const int source = active_;
  std::vector<const ConstantInfo*> missing, uncopyable;
  for (const auto& c : constants_) {
    if (c.from_folded || tensors.contains(c.name)) continue;
    if (validate_full_update && !c.may_be_omitted()) missing.push_back(&c);
    // AOTInductor fills an omitted buffer or tensor constant of the inactive buffer from the
    // active one, and dereferences whatever it finds there.
    if (use_inactive && c.may_be_omitted() && !present_[source].contains(c.name))
      uncopyable.push_back(&c);
  }
  PT2RUN_CHECK(missing.empty(), NotFound, "a full constant update must provide every parameter; missing ",
               missing.size(), ": ", join_labels(missing));
  PT2RUN_CHECK(uncopyable.empty(), InvalidState, "updating the inactive buffer without ",
               join_labels(uncopyable), " copies them from the active buffer, which has no data "
               "for them; include them in the update");
}

// AOTInductor copies storage_nbytes() bytes from data_ptr() into a slot of data_size bytes
// and views the copy with the caller's strides and storage offset. Give it a tensor whose
// storage is exactly the constant in the kernels' layout, starting at offset 0.
Tensor ConstantBuffers::stage_copy(const ConstantInfo& c, const Tensor& t) const {
  std::vector<int64_t> sizes(t.sizes().begin(), t.sizes().end());
  std::vector<int64_t> strides = c.layout ? c.layout->strides : contiguous_strides(sizes);
  const bool fits = t.storage_offset() == 0 && same_strides(t, strides) &&
                    (!c.data_size || t.storage_nbytes() <= *c.data_size);
  if (fits) return t;
  Tensor staged = Tensor::empty_strided(sizes, strides, c.dtype, device_);
  staged.copy_(t);
  PT2RUN_CHECK(!c.data_size || staged.storage_nbytes() <= *c.data_size, Internal, "constant ",
               c.label(), " takes ", staged.storage_nbytes(), " bytes in the model's layout but "
               "the model reserves ", *c.data_size);
  return staged;
}

void ConstantBuffers::update(const TensorConstantMap& tensors, bool use_inactive,
                             bool validate_full_update, bool user_managed) {
  std::lock_guard lock(mutex_);
  validate(tensors, use_inactive, validate_full_update, user_managed);
  const int target = use_inactive ? 1 - active_ : active_;

  // What the container will (re)place in the target buffer, in its order: the given
  // constants, and for the inactive buffer the omittable ones it copies over.
  std::vector<std::string> replaced;
  for (const auto& c : constants_) {
    if (c.from_folded) continue;
    if (tensors.contains(c.name) || (use_inactive && c.may_be_omitted() && present_[active_].contains(c.name)))
      replaced.push_back(c.name);
  }

  ConstantHandleMap map;
  std::vector<AOTInductorConstantMapEntry> pairs;
  std::vector<AtenTensorHandle> created;
  try {
    for (const auto& [name, tensor] : tensors) {
      Tensor given = user_managed ? *tensor : stage_copy(*find(name), *tensor);
      map.emplace(name, shim::release_handle(std::move(given)));
    }
    for (const auto& [name, handle] : map) pairs.push_back({name.c_str(), handle});
    shim::clear_last_error();
    const ContainerApi& api = container_.api;
    auto* h = container_.handle;
    auto* map_handle = reinterpret_cast<AOTInductorConstantMapHandle>(&map);
    if (user_managed) {
      shim::NewHandleRecorder recorder(created);
      if (api.update_user_managed_constant_buffer_pairs) {
        container_.check(api.update_user_managed_constant_buffer_pairs(
                             h, pairs.data(), pairs.size(), use_inactive, validate_full_update),
                         "UpdateUserManagedConstantBuffer");
      } else {
        PT2RUN_CHECK(api.update_user_managed_constant_buffer != nullptr, NotImplemented,
                     "user-managed constants need a model library from torch >= 2.8");
        container_.check(api.update_user_managed_constant_buffer(h, map_handle, use_inactive,
                                                                 validate_full_update),
                         "UpdateUserManagedConstantBuffer");
      }
    } else if (api.update_constant_buffer_pairs) {
      container_.check(api.update_constant_buffer_pairs(h, pairs.data(), pairs.size(), use_inactive,
                                                        validate_full_update),
                       "UpdateConstantBuffer");
    } else {
      container_.check(api.update_constant_buffer(h, map_handle, use_inactive, validate_full_update),
                       "UpdateConstantBuffer");
    }
  } catch (...) {
    for (auto& [name, handle] : map) delete_handle(handle);
    unmatched_user_managed_.insert(unmatched_user_managed_.end(), created.begin(), created.end());
    throw;
  }
  // The container copied the data (or took its own handles); ours go.
  for (auto& [name, handle] : map) delete_handle(handle);
  adopt_user_managed(target, replaced, created, user_managed);
  present_[target].insert(replaced.begin(), replaced.end());
  refresh_ready();
}

// The container replaced the entries named in `replaced`; the user-managed handles it made
// for their previous values are no longer referenced and can go.
void ConstantBuffers::adopt_user_managed(int buffer, const std::vector<std::string>& replaced,
                                         const std::vector<AtenTensorHandle>& created,
                                         bool user_managed) {
  auto& owned = user_managed_[buffer];
  for (const auto& name : replaced) {
    if (user_managed) caller_memory_[buffer].insert(name);
    else caller_memory_[buffer].erase(name);
    auto it = owned.find(name);
    if (it == owned.end()) continue;
    delete_handle(it->second);
    owned.erase(it);
  }
  if (!user_managed) return;
  if (created.size() == replaced.size()) {
    for (std::size_t i = 0; i < created.size(); ++i) owned[replaced[i]] = created[i];
  } else {
    // A container that makes its handles differently: keep them all until the end.
    unmatched_user_managed_.insert(unmatched_user_managed_.end(), created.begin(), created.end());
  }
}

std::unordered_map<std::string, Tensor> ConstantBuffers::extract(bool use_inactive) const {
  PT2RUN_CHECK(can_extract_, NotImplemented,
               "extract_constants_map needs a model library from torch >= 2.8");
  std::lock_guard lock(mutex_);
  const auto& present = present_[use_inactive ? 1 - active_ : active_];
  std::unordered_map<std::string, Tensor> result;
  // Borrowed handles: copy the views, never delete them. Entries of a freed buffer still
  // exist in the container but point at released memory; only loaded ones are returned.
  for (const auto& [index, handle] : container_entries(use_inactive)) {
    const ConstantInfo& c = constants_[index];
    if (present.contains(c.name)) result.emplace(c.fqn, *reinterpret_cast<Tensor*>(handle));
  }
  return result;
}

void ConstantBuffers::run_const_fold(bool use_inactive, void* stream) {
  std::lock_guard lock(mutex_);
  const int buffer = use_inactive ? 1 - active_ : active_;
  auto missing = missing_data(buffer);
  PT2RUN_CHECK(missing.empty(), InvalidState, "cannot fold the ", use_inactive ? "inactive" : "active",
               " constant buffer: it has no data for ", join_labels(missing));
  // Without a constant-folding graph there is nothing to fold (the library would only print
  // a warning on every call).
  if (std::none_of(constants_.begin(), constants_.end(), [](const ConstantInfo& c) { return c.from_folded; }))
    return;
  shim::clear_last_error();
  if (fold_at_next_run_) {
    // An inactive buffer is already unfolded since its last update; it folds once swapped in.
    if (use_inactive) return;
    // An empty update marks the active buffer unfolded and changes nothing else.
    ConstantHandleMap none;
    if (container_.api.update_constant_buffer_pairs) {
      container_.check(container_.api.update_constant_buffer_pairs(container_.handle, nullptr, 0, false, false),
                       "UpdateConstantBuffer");
    } else {
      container_.check(container_.api.update_constant_buffer(
                           container_.handle, reinterpret_cast<AOTInductorConstantMapHandle>(&none), false, false),
                       "UpdateConstantBuffer");
    }
    return;
  }
  std::optional<ExclusiveScope> exclusive;
  if (!use_inactive) exclusive.emplace(*this);
  container_.check(container_.api.run_constant_folding(
                       container_.handle, use_inactive,
                       reinterpret_cast<AOTInductorStreamHandle>(stream),
                       static_cast<AOTIProxyExecutorHandle>(container_.proxy_executor)),
                   "RunConstantFolding");
  if (!use_inactive) declare_active();
}

void ConstantBuffers::swap() {
  std::lock_guard lock(mutex_);
  auto missing = missing_data(1 - active_);
  PT2RUN_CHECK(missing.empty(), InvalidState,
               "cannot swap in the inactive constant buffer: it has no data for ", missing.size(),
               " constant(s): ", join_labels(missing), ". Update it first");
  ExclusiveScope exclusive(*this);
  shim::clear_last_error();
  container_.check(container_.api.swap_constant_buffer(container_.handle), "SwapConstantBuffer");
  active_ = 1 - active_;
  refresh_ready();
}

void ConstantBuffers::free_inactive() {
  PT2RUN_CHECK(container_.api.free_inactive_constant_buffer != nullptr, NotImplemented,
               "free_inactive_constant_buffer needs a model library from torch >= 2.8");
  std::lock_guard lock(mutex_);
  shim::clear_last_error();
  container_.check(container_.api.free_inactive_constant_buffer(container_.handle),
                   "FreeInactiveConstantBuffer");
  // The container keeps the entries but their memory is gone: treat the buffer as empty.
  // User-managed handles stay referenced by those entries until replaced.
  present_[1 - active_].clear();
}

void ConstantBuffers::load_blob(const uint8_t* data, uint64_t size, const std::string& what) {
  const ContainerApi& api = container_.api;
  PT2RUN_CHECK(api.update_constants_from_blob != nullptr && api.get_constants_blob_size != nullptr,
               NotImplemented, "loading weights from a blob needs a model library from torch >= 2.10");
  std::lock_guard lock(mutex_);
  // The library adds the blob's tensors to the active buffer without replacing existing
  // ones, and frees its previous blob: a second load would leave constants in freed memory.
  PT2RUN_CHECK(present_[active_].empty(), InvalidState, "model library '", container_.library_name,
               "' already has weights in its active buffer; replace them with "
               "update_constant_buffer instead of loading ", what);
  uint64_t expected = 0;
  shim::clear_last_error();
  container_.check(api.get_constants_blob_size(container_.handle, &expected), "GetConstantsBlobSize");
  PT2RUN_CHECK(expected > 0 && size >= expected, InvalidPackage, what, " has ", size,
               " bytes but model library '", container_.library_name, "' expects ", expected);
  container_.check(api.update_constants_from_blob(container_.handle, data), "UpdateConstantsFromBlob");
  present_[active_] = can_extract_ ? names_in_container(false) : std::set<std::string>{};
  PT2RUN_CHECK(!can_extract_ || !present_[active_].empty(), InvalidPackage, "model library '",
               container_.library_name, "' took no weights from ", what,
               ": it was not built to read a weights blob (package_constants_on_disk_format="
               "\"binary_blob\")");
  learn_layouts_from_active();
  refresh_ready();
}

}  // namespace pt2run::detail
