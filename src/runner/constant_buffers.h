#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "package/model_source.h"
#include "pt2run/device.h"
#include "pt2run/runner.h"
#include "runner/container.h"

namespace pt2run::detail {

// One constant of the model, as the library describes it.
struct ConstantInfo {
  std::size_t index = 0;
  std::string name;  // internal name: the key of update_constant_buffer
  std::string fqn;   // original FQN: the key of extract_constants_map and load_constants
  DType dtype = DType::Float32;
  int32_t type = 0;  // AOTInductor's ConstantType: 1 parameter, 2 buffer, 3 tensor constant
  bool from_folded = false;
  std::optional<std::size_t> data_size;  // bytes the model reserves for it
  std::optional<ConstantLayout> layout;  // unknown for weightless libraries without metadata

  // A full update may leave it out, as torch allows: tensor constants, buffers and empty
  // parameters; an update of the inactive buffer then copies it from the active one.
  bool may_be_omitted() const {
    return type == 3 || type == 2 || (type == 1 && data_size == std::size_t{0});
  }
  // Must hold data before the model can run.
  bool needs_data() const { return !from_folded && data_size.value_or(1) != 0; }
  std::string label() const { return fqn.empty() || fqn == name ? "'" + name + "'" : "'" + name + "' (" + fqn + ")"; }
};

// The two constant buffers of a model container (aoti-abi.md §2.4), with what AOTInductor's
// container leaves to its caller:
//  - validation before anything changes: unknown names, dtype, device, shape, and a layout the
//    kernels cannot read; a full update's error names every missing constant;
//  - which constants each buffer really holds, so a run, fold or swap on a buffer that is
//    missing weights (never loaded, or freed) fails with the list instead of reading freed or
//    absent memory;
//  - re-laying out copied constants in the strides the kernels expect (torch keeps the
//    caller's strides, which silently gives wrong numbers);
//  - the handles the container makes for user-managed constants and never frees: freed when
//    the constant is replaced, or with the runner.
//
// Thread safety: all methods may be called from any thread; updates, folds, swaps and frees
// are serialized with each other. require_ready() is lock-free and is what run() calls.
class ConstantBuffers {
 public:
  ConstantBuffers(const Container& container, Device device);
  // Frees the user-managed handles: destroy the container first.
  ~ConstantBuffers();
  ConstantBuffers(const ConstantBuffers&) = delete;
  ConstantBuffers& operator=(const ConstantBuffers&) = delete;

  const std::vector<ConstantInfo>& constants() const { return constants_; }
  // Layouts from package metadata for constants the library did not show (weights outside
  // the library). Known layouts are kept.
  void add_layouts(const std::map<std::string, ConstantLayout>& by_name);

  void update(const TensorConstantMap& tensors, bool use_inactive, bool validate_full_update,
              bool user_managed);
  std::unordered_map<std::string, Tensor> extract(bool use_inactive) const;
  void run_const_fold(bool use_inactive, void* stream);
  // For RunSingleThreaded containers: the container's own folding call takes the only model
  // instance out of its pool for good (RunSingleThreaded then indexes an empty pool), while
  // RunSingleThreaded folds an unfolded active buffer by itself. So run_const_fold only marks
  // the buffer unfolded, and the next run folds it.
  void set_fold_at_next_run(bool value) { fold_at_next_run_ = value; }
  void swap();
  void free_inactive();
  // Loads a library's binary_blob weights into the (empty) active buffer.
  void load_blob(const uint8_t* data, uint64_t size, const std::string& what);

  // Called by run() before it enters the container: waits while a swap is waiting for the
  // runs in flight (the container's shared mutex lets a steady stream of runs starve a swap
  // for minutes), then throws Error(InvalidState) naming the missing constants if the active
  // buffer cannot run.
  void enter_run() const {
    if (exclusive_waiting_.load(std::memory_order_acquire) > 0) wait_for_exclusive();
    if (!active_ready_.load(std::memory_order_acquire)) throw_not_ready("run");
  }

 private:
  using HandleMap = std::unordered_map<std::string, AtenTensorHandle>;
  const ConstantInfo* find(const std::string& name) const;
  std::vector<const ConstantInfo*> missing_data(int buffer) const;
  // Throws unless the active buffer became ready meanwhile.
  void throw_not_ready(const char* what) const;
  void wait_for_exclusive() const;
  // Holds new runs at enter_run() while alive: for calls that take the container's exclusive
  // lock (swap, folding the active buffer).
  class ExclusiveScope;
  void validate(const TensorConstantMap& tensors, bool use_inactive, bool validate_full_update,
                bool user_managed) const;
  Tensor stage_copy(const ConstantInfo& c, const Tensor& t) const;
  // (constant index, borrowed handle) of every constant the container's map holds.
  std::vector<std::pair<std::size_t, AtenTensorHandle>> container_entries(bool use_inactive) const;
  std::set<std::string> names_in_container(bool use_inactive) const;
  void learn_layouts_from_active();
  void refresh_ready();
  void declare_active();
  void adopt_user_managed(int buffer, const std::vector<std::string>& replaced,
                          const std::vector<AtenTensorHandle>& created, bool user_managed);

  const Container& container_;
  Device device_;
  std::vector<ConstantInfo> constants_;
  std::unordered_map<std::string, std::size_t> by_name_;
  // The library's constants map is keyed by FQN, one entry (the first constant) per FQN; a
  // constant Inductor duplicated (one weight used in two folded forms) shares its FQN.
  std::unordered_map<std::string, std::size_t> by_fqn_;
  std::unordered_map<std::string, std::vector<std::size_t>> all_by_fqn_;
  bool can_extract_ = false;
  bool fold_at_next_run_ = false;

  mutable std::mutex mutex_;
  int active_ = 0;  // which of the container's two buffers is active
  std::array<std::set<std::string>, 2> present_;
  std::atomic<bool> active_ready_{false};
  std::atomic<int> exclusive_waiting_{0};
  mutable std::mutex gate_mutex_;
  mutable std::condition_variable gate_open_;
  // Handles the container made for user-managed constants, per buffer and name; those it
  // made in an order the runner could not match are kept until the end.
  std::array<std::unordered_map<std::string, AtenTensorHandle>, 2> user_managed_;
  std::vector<AtenTensorHandle> unmatched_user_managed_;
  // Names whose data is the caller's memory, per buffer: never declared for packing, since
  // the caller may change it in place between runs (libtorch's runner then reads the change).
  std::array<std::set<std::string>, 2> caller_memory_;
};

}  // namespace pt2run::detail
