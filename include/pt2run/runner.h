#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "pt2run/export.h"
#include "pt2run/tensor.h"

namespace pt2run {

namespace detail {
struct RunnerAccess;
}

// Constant name -> tensor pointer (borrowed for the call), as torch's TensorConstantMap.
using TensorConstantMap = std::unordered_map<std::string, Tensor*>;

// Runs one AOTInductor model library (the .so inside a .pt2), with the API of PyTorch's
// torch::inductor::AOTIModelContainerRunner: method names and semantics match so code written
// against libtorch ports by changing the namespace and the tensor type.
//
// Ownership: the runner owns the loaded library and its container; tensors it returns own
// (a share of) their storage and stay valid after the runner is destroyed.
//
// Thread safety: run() and boxed_run() may be called from many threads at once; up to
// num_models runs execute in parallel, further calls wait for a free model instance. With
// run_single_threaded (which needs num_models == 1) run() takes no locks and must not be
// called concurrently. update_inactive_constant_buffer, run_const_fold(use_inactive=true) and
// swap_constant_buffer may run while other threads call run(); updating the active buffer or
// freeing buffers while runs are in flight is a race, as in torch.
//
// Errors: every method throws pt2run::Error: InvalidArgument / ShapeMismatch / DTypeMismatch /
// DeviceMismatch for bad inputs (the message names the input), NotFound for unknown constants,
// ModelFailure when the model library reports an error (with the model's own message),
// NotImplemented when the model library is too old for the call.
class PT2RUN_API AOTIModelContainerRunner {
 public:
  AOTIModelContainerRunner(const AOTIModelContainerRunner&) = delete;
  AOTIModelContainerRunner& operator=(const AOTIModelContainerRunner&) = delete;
  virtual ~AOTIModelContainerRunner();

  // Runs the model on flat inputs (the package's pytree flattening order). The inputs are
  // shared, not copied: the model may return an output that aliases an input. stream_handle
  // is ignored on the CPU. On a device, a run given a stream is enqueued on it and returns
  // without waiting; one given none runs on a stream of the runner's (a stream each for
  // concurrent calls) and returns once its outputs are ready.
  std::vector<Tensor> run(const std::vector<Tensor>& inputs, void* stream_handle = nullptr);
  // As run(), but takes the caller's references: `inputs` is left empty, so their storage can
  // be freed as soon as the model is done with it.
  std::vector<Tensor> boxed_run(std::vector<Tensor>&& inputs, void* stream_handle = nullptr);

  // Internal constant name -> original FQN (e.g. "fc1_weight" -> "fc1.weight").
  std::unordered_map<std::string, std::string> getConstantNamesToOriginalFQNs() const;
  // Internal constant name -> dtype code (pt2run::DType values).
  std::unordered_map<std::string, int32_t> getConstantNamesToDtypes() const;
  // Original FQN -> the constant tensor (a view sharing the runner's storage) of the active
  // or inactive buffer. Needs a model library from torch >= 2.8.
  std::unordered_map<std::string, Tensor> extract_constants_map(bool use_inactive) const;
  // Same as update_constant_buffer(const_map, /*use_inactive=*/true, /*validate=*/true).
  void update_inactive_constant_buffer(const TensorConstantMap& const_map);
  // Copies the given constants (keys are internal names) into the active or inactive buffer;
  // with user_managed, the runner uses the caller's memory instead of copying, and keeps a
  // reference to each such tensor until the runner is destroyed (AOTInductor's container
  // never releases them; see Tensor::from_blob for the lifetime rule). validate_full_updates
  // requires every constant.
  void update_constant_buffer(std::unordered_map<std::string, Tensor>& tensor_map,
                              bool use_inactive, bool validate_full_updates,
                              bool user_managed = false);
  void update_constant_buffer(const TensorConstantMap& const_map, bool use_inactive,
                              bool validate_full_updates, bool user_managed = false);
  // Runs the model's constant-folding graph on the active or inactive buffer.
  // Without a stream, a device runner folds on its own stream and returns when it is done.
  void run_const_fold(bool use_inactive, void* stream_handle = nullptr);
  // Makes the inactive buffer active and vice versa; waits for runs in flight.
  void swap_constant_buffer();
  void free_inactive_constant_buffer();
  // {in_spec, out_spec}: the pytree specs (JSON) of the exported program.
  std::vector<std::string> get_call_spec();
  // Loads every constant from a weights blob (aot_inductor.package_constants_on_disk_format
  // = "binary_blob").
  void update_constant_buffer_from_blob(const std::string& weights_path);

  // pt2run additions.
  std::size_t num_inputs() const;
  std::size_t num_outputs() const;
  std::vector<std::string> get_input_names() const;
  std::vector<std::string> get_output_names() const;
  const std::string& device_str() const;

 protected:
  // Loads model_so_path (never modified; libtorch need not be installed) and creates a
  // container of num_models instances for device_str. cubin_dir is where device kernels live
  // ("" for the CPU).
  AOTIModelContainerRunner(const std::string& model_so_path, std::size_t num_models,
                           const std::string& device_str, const std::string& cubin_dir,
                           bool run_single_threaded);

 private:
  friend struct detail::RunnerAccess;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class PT2RUN_API AOTIModelContainerRunnerCpu : public AOTIModelContainerRunner {
 public:
  explicit AOTIModelContainerRunnerCpu(const std::string& model_so_path,
                                       std::size_t num_models = 1,
                                       bool run_single_threaded = false);
  ~AOTIModelContainerRunnerCpu() override;
};

// Creates a runner for a device; outside backends register theirs under a device name.
using CreateAOTIModelRunnerFunc = std::unique_ptr<AOTIModelContainerRunner> (*)(
    const std::string& model_so_path, std::size_t num_models, const std::string& device_str,
    const std::string& bin_dir, const bool run_single_threaded);

// Device name ("cpu", "cuda", ...) -> factory. "cpu" is registered by pt2run. The map is not
// locked: register during startup (static initializers), before loading models.
PT2RUN_API std::unordered_map<std::string, CreateAOTIModelRunnerFunc>& getAOTIModelRunnerRegistry();

struct PT2RUN_API RegisterAOTIModelRunner {
  RegisterAOTIModelRunner(const std::string& name, CreateAOTIModelRunnerFunc create_aoti_model_runner_fn);
};

}  // namespace pt2run
