#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "core/check.h"
#include "model/container_api.h"
#include "model/model_library.h"
#include "pt2run/runner.h"
#include "runner/threading_internal.h"
#include "shim/input_handles.h"
#include "shim/shim_guard.h"

namespace pt2run {
namespace {

using detail::ContainerApi;
using ConstantHandleMap = std::unordered_map<std::string, AtenTensorHandle>;

AtenTensorHandle to_handle(Tensor t) { return shim::release_handle(std::move(t)); }

// Which error code fits a message the model produced about its inputs.
ErrorCode classify_model_message(const std::string& message) {
  if (message.find("unmatched dtype") != std::string::npos) return ErrorCode::DTypeMismatch;
  if (message.find("unmatched device") != std::string::npos) return ErrorCode::DeviceMismatch;
  if (message.find("dim value") != std::string::npos ||
      message.find("unmatched dim") != std::string::npos ||
      message.find("unmatched stride") != std::string::npos)
    return ErrorCode::ShapeMismatch;
  return ErrorCode::ModelFailure;
}

}  // namespace

struct AOTIModelContainerRunner::Impl {
  std::unique_ptr<detail::ModelLibrary> library;
  ContainerApi api;
  AOTInductorModelContainerHandle container = nullptr;
  std::string device_str;
  Device device;
  bool single_threaded = false;
  std::vector<std::string> input_names;
  std::vector<std::string> output_names;
  // Handles the container made for user-managed constants and never deletes; freed once the
  // container is gone (see shim::NewHandleRecorder).
  std::mutex user_managed_mutex;
  std::vector<AtenTensorHandle> user_managed_handles;

  ~Impl() {
    if (container) api.destroy(container);
    for (AtenTensorHandle h : user_managed_handles) delete reinterpret_cast<Tensor*>(h);
  }

  // Turns a failed container call into an Error carrying the model's and the shim's messages.
  void check(AOTIRuntimeError rc, const std::string& what) const {
    if (rc == 0) return;
    std::string model_message;
    if (api.get_last_error) {
      const char* text = nullptr;
      if (api.get_last_error(&text) == 0 && text) model_message = text;
    }
    std::string message = what + " failed in model library '" + library->name() + "'";
    if (!model_message.empty()) message += ": " + model_message;
    if (!shim::last_error().empty()) message += " [pt2run shim: " + shim::last_error() + "]";
    ErrorCode code = classify_model_message(model_message);
    if (code != ErrorCode::ModelFailure) {
      // Name the input the model complained about ("input_handles[i]: ...").
      auto at = model_message.find("input_handles[");
      if (at != std::string::npos) {
        std::size_t index = std::strtoul(model_message.c_str() + at + 14, nullptr, 10);
        if (index < input_names.size())
          message += " (input " + std::to_string(index) + " is '" + input_names[index] + "')";
      }
    }
    throw Error(code, message);
  }

  std::string constant_name(std::size_t i) const {
    const char* name = nullptr;
    check(api.get_constant_name(container, i, &name), "GetConstantName");
    return name ? name : "";
  }

  std::size_t num_constants() const {
    std::size_t n = 0;
    check(api.get_num_constants(container, &n), "GetNumConstants");
    return n;
  }

  std::vector<Tensor> run(std::vector<AtenTensorHandle>& inputs, void* stream) {
    detail::apply_thread_setting();
    std::vector<AtenTensorHandle> outputs(output_names.size(), nullptr);
    shim::clear_last_error();
    AOTIRuntimeError rc;
    {
      shim::InputHandleScope scope(inputs);
      auto run_fn = single_threaded ? api.run_single_threaded : api.run;
      rc = run_fn(container, inputs.data(), inputs.size(), outputs.data(), outputs.size(),
                  reinterpret_cast<AOTInductorStreamHandle>(stream), nullptr);
    }
    if (rc != 0) {
      // Free whatever outputs the model produced before failing.
      for (std::size_t i = 0; i < outputs.size(); ++i) {
        if (outputs[i] && std::find(outputs.begin(), outputs.begin() + static_cast<long>(i), outputs[i]) ==
                              outputs.begin() + static_cast<long>(i))
          delete reinterpret_cast<Tensor*>(outputs[i]);
      }
      check(rc, "run");
    }
    std::vector<Tensor> result(outputs.size());
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      if (outputs[i] == nullptr) continue;  // a None output
      result[i] = *reinterpret_cast<Tensor*>(outputs[i]);
    }
    // The same handle may fill several slots; delete each once.
    std::sort(outputs.begin(), outputs.end());
    outputs.erase(std::unique(outputs.begin(), outputs.end()), outputs.end());
    for (AtenTensorHandle h : outputs) delete reinterpret_cast<Tensor*>(h);
    return result;
  }

  std::vector<AtenTensorHandle> validate_and_wrap(std::vector<Tensor>&& inputs) const {
    PT2RUN_CHECK(inputs.size() == input_names.size(), InvalidArgument, "the model takes ",
                 input_names.size(), " input(s) but run() got ", inputs.size(),
                 " (inputs are the flattened pytree of the exported call)");
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      const Tensor& t = inputs[i];
      PT2RUN_CHECK(t.defined(), InvalidArgument, "input ", i, " ('", input_names[i],
                   "') is an undefined tensor");
      PT2RUN_CHECK(t.device().type == device.type, DeviceMismatch, "input ", i, " ('",
                   input_names[i], "') is on ", t.device().str(), " but the model runs on ",
                   device_str);
    }
    std::vector<AtenTensorHandle> handles;
    handles.reserve(inputs.size());
    for (Tensor& t : inputs) handles.push_back(to_handle(std::move(t)));
    return handles;
  }

  // Builds the handles for an update and calls `update` with them; the runner's handles are
  // deleted afterwards (the container copies, or takes its own handle when user-managed).
  template <class Update>
  void with_constant_handles(const std::unordered_map<std::string, Tensor*>& tensors,
                             Update&& update) {
    validate_constants(tensors);
    ConstantHandleMap map;
    std::vector<AOTInductorConstantMapEntry> pairs;
    try {
      for (const auto& [name, tensor] : tensors) map.emplace(name, to_handle(*tensor));
      for (const auto& [name, handle] : map) pairs.push_back({name.c_str(), handle});
      shim::clear_last_error();
      update(map, pairs);
    } catch (...) {
      for (auto& [name, handle] : map) delete reinterpret_cast<Tensor*>(handle);
      throw;
    }
    for (auto& [name, handle] : map) delete reinterpret_cast<Tensor*>(handle);
  }

  void validate_constants(const std::unordered_map<std::string, Tensor*>& tensors) const {
    std::unordered_map<std::string, int32_t> dtypes;
    for (std::size_t i = 0, n = num_constants(); i < n; ++i) {
      int32_t dtype = 0;
      check(api.get_constant_dtype(container, i, &dtype), "GetConstantDtype");
      dtypes.emplace(constant_name(i), dtype);
    }
    std::vector<std::string> unknown;
    for (const auto& [name, tensor] : tensors) {
      PT2RUN_CHECK(tensor != nullptr && tensor->defined(), InvalidArgument, "constant '", name,
                   "' is null or undefined");
      auto it = dtypes.find(name);
      if (it == dtypes.end()) {
        unknown.push_back(name);
        continue;
      }
      PT2RUN_CHECK(dtype_code(tensor->dtype()) == it->second, DTypeMismatch, "constant '", name,
                   "' must be ", dtype_name(static_cast<DType>(it->second)), ", got ",
                   tensor->describe());
      PT2RUN_CHECK(tensor->device().type == device.type, DeviceMismatch, "constant '", name,
                   "' is on ", tensor->device().str(), " but the model runs on ", device_str);
    }
    if (!unknown.empty()) {
      std::sort(unknown.begin(), unknown.end());
      std::string list;
      for (const auto& n : unknown) list += (list.empty() ? "" : ", ") + n;
      detail::fail(ErrorCode::NotFound, "the model has no constant(s) named ", list,
                   " (keys are internal names; see getConstantNamesToOriginalFQNs)");
    }
  }
};

AOTIModelContainerRunner::AOTIModelContainerRunner(const std::string& model_so_path,
                                                   std::size_t num_models,
                                                   const std::string& device_str,
                                                   const std::string& cubin_dir,
                                                   bool run_single_threaded)
    : impl_(std::make_unique<Impl>()) {
  PT2RUN_CHECK(num_models > 0, InvalidArgument, "num_models must be at least 1");
  PT2RUN_CHECK(!run_single_threaded || num_models == 1, InvalidArgument,
               "run_single_threaded needs num_models == 1, got ", num_models);
  impl_->device = Device::parse(device_str);
  impl_->device_str = device_str;
  impl_->single_threaded = run_single_threaded;
  impl_->library = detail::ModelLibrary::open_file(model_so_path);
  impl_->api = ContainerApi::resolve(*impl_->library);
  PT2RUN_CHECK(!run_single_threaded || impl_->api.run_single_threaded != nullptr, NotImplemented,
               "model library '", model_so_path,
               "' has no AOTInductorModelContainerRunSingleThreaded (torch < 2.7)");
  shim::clear_last_error();
  impl_->check(impl_->api.create_with_device(&impl_->container, num_models, device_str.c_str(),
                                             cubin_dir.empty() ? nullptr : cubin_dir.c_str()),
               "creating the model container");
  std::size_t n = 0;
  impl_->check(impl_->api.get_num_inputs(impl_->container, &n), "GetNumInputs");
  for (std::size_t i = 0; i < n; ++i) {
    const char* name = nullptr;
    impl_->check(impl_->api.get_input_name(impl_->container, i, &name), "GetInputName");
    impl_->input_names.emplace_back(name ? name : "");
  }
  impl_->check(impl_->api.get_num_outputs(impl_->container, &n), "GetNumOutputs");
  for (std::size_t i = 0; i < n; ++i) {
    const char* name = nullptr;
    impl_->check(impl_->api.get_output_name(impl_->container, i, &name), "GetOutputName");
    impl_->output_names.emplace_back(name ? name : "");
  }
}

AOTIModelContainerRunner::~AOTIModelContainerRunner() = default;

std::vector<Tensor> AOTIModelContainerRunner::run(const std::vector<Tensor>& inputs,
                                                  void* stream_handle) {
  std::vector<AtenTensorHandle> handles = impl_->validate_and_wrap(std::vector<Tensor>(inputs));
  return impl_->run(handles, stream_handle);
}

std::vector<Tensor> AOTIModelContainerRunner::boxed_run(std::vector<Tensor>&& inputs,
                                                        void* stream_handle) {
  std::vector<Tensor> taken = std::move(inputs);
  inputs.clear();
  std::vector<AtenTensorHandle> handles = impl_->validate_and_wrap(std::move(taken));
  return impl_->run(handles, stream_handle);
}

std::unordered_map<std::string, std::string>
AOTIModelContainerRunner::getConstantNamesToOriginalFQNs() const {
  std::unordered_map<std::string, std::string> result;
  for (std::size_t i = 0, n = impl_->num_constants(); i < n; ++i) {
    const char* fqn = nullptr;
    impl_->check(impl_->api.get_constant_original_fqn(impl_->container, i, &fqn),
                 "GetConstantOriginalFQN");
    result.emplace(impl_->constant_name(i), fqn ? fqn : "");
  }
  return result;
}

std::unordered_map<std::string, int32_t> AOTIModelContainerRunner::getConstantNamesToDtypes() const {
  std::unordered_map<std::string, int32_t> result;
  for (std::size_t i = 0, n = impl_->num_constants(); i < n; ++i) {
    int32_t dtype = 0;
    impl_->check(impl_->api.get_constant_dtype(impl_->container, i, &dtype), "GetConstantDtype");
    result.emplace(impl_->constant_name(i), dtype);
  }
  return result;
}

std::unordered_map<std::string, Tensor> AOTIModelContainerRunner::extract_constants_map(
    bool use_inactive) const {
  PT2RUN_CHECK(impl_->api.extract_constants_map != nullptr, NotImplemented,
               "extract_constants_map needs a model library from torch >= 2.8");
  ConstantHandleMap map;
  shim::clear_last_error();
  impl_->check(impl_->api.extract_constants_map(
                   impl_->container, reinterpret_cast<AOTInductorConstantMapHandle>(&map),
                   use_inactive),
               "ExtractConstantsMap");
  std::unordered_map<std::string, Tensor> result;
  // The handles are borrowed from the container: copy the views, never delete them.
  for (const auto& [fqn, handle] : map)
    if (handle) result.emplace(fqn, *reinterpret_cast<Tensor*>(handle));
  return result;
}

void AOTIModelContainerRunner::update_inactive_constant_buffer(const TensorConstantMap& const_map) {
  update_constant_buffer(const_map, /*use_inactive=*/true, /*validate_full_updates=*/true);
}

void AOTIModelContainerRunner::update_constant_buffer(
    std::unordered_map<std::string, Tensor>& tensor_map, bool use_inactive,
    bool validate_full_updates, bool user_managed) {
  TensorConstantMap pointers;
  for (auto& [name, tensor] : tensor_map) pointers.emplace(name, &tensor);
  update_constant_buffer(pointers, use_inactive, validate_full_updates, user_managed);
}

void AOTIModelContainerRunner::update_constant_buffer(const TensorConstantMap& const_map,
                                                      bool use_inactive,
                                                      bool validate_full_updates,
                                                      bool user_managed) {
  const ContainerApi& api = impl_->api;
  impl_->with_constant_handles(const_map, [&](ConstantHandleMap& map, auto& pairs) {
    auto* map_handle = reinterpret_cast<AOTInductorConstantMapHandle>(&map);
    if (user_managed) {
      std::vector<AtenTensorHandle> created;
      struct Keep {
        Impl& impl;
        std::vector<AtenTensorHandle>& created;
        ~Keep() {
          std::lock_guard<std::mutex> lock(impl.user_managed_mutex);
          impl.user_managed_handles.insert(impl.user_managed_handles.end(), created.begin(), created.end());
        }
      } keep{*impl_, created};
      shim::NewHandleRecorder recorder(created);
      if (api.update_user_managed_constant_buffer_pairs) {
        impl_->check(api.update_user_managed_constant_buffer_pairs(
                         impl_->container, pairs.data(), pairs.size(), use_inactive,
                         validate_full_updates),
                     "UpdateUserManagedConstantBuffer");
      } else {
        PT2RUN_CHECK(api.update_user_managed_constant_buffer != nullptr, NotImplemented,
                     "user-managed constants need a model library from torch >= 2.8");
        impl_->check(api.update_user_managed_constant_buffer(impl_->container, map_handle,
                                                             use_inactive, validate_full_updates),
                     "UpdateUserManagedConstantBuffer");
      }
    } else if (api.update_constant_buffer_pairs) {
      impl_->check(api.update_constant_buffer_pairs(impl_->container, pairs.data(), pairs.size(),
                                                    use_inactive, validate_full_updates),
                   "UpdateConstantBuffer");
    } else {
      impl_->check(api.update_constant_buffer(impl_->container, map_handle, use_inactive,
                                              validate_full_updates),
                   "UpdateConstantBuffer");
    }
  });
}

void AOTIModelContainerRunner::run_const_fold(bool use_inactive, void* stream_handle) {
  detail::apply_thread_setting();
  shim::clear_last_error();
  impl_->check(impl_->api.run_constant_folding(
                   impl_->container, use_inactive,
                   reinterpret_cast<AOTInductorStreamHandle>(stream_handle), nullptr),
               "RunConstantFolding");
}

void AOTIModelContainerRunner::swap_constant_buffer() {
  impl_->check(impl_->api.swap_constant_buffer(impl_->container), "SwapConstantBuffer");
}

void AOTIModelContainerRunner::free_inactive_constant_buffer() {
  PT2RUN_CHECK(impl_->api.free_inactive_constant_buffer != nullptr, NotImplemented,
               "free_inactive_constant_buffer needs a model library from torch >= 2.8");
  impl_->check(impl_->api.free_inactive_constant_buffer(impl_->container),
               "FreeInactiveConstantBuffer");
}

std::vector<std::string> AOTIModelContainerRunner::get_call_spec() {
  const char* in_spec = nullptr;
  const char* out_spec = nullptr;
  impl_->check(impl_->api.get_call_spec(impl_->container, &in_spec, &out_spec), "GetCallSpec");
  return {in_spec ? in_spec : "", out_spec ? out_spec : ""};
}

void AOTIModelContainerRunner::update_constant_buffer_from_blob(const std::string& weights_path) {
  const ContainerApi& api = impl_->api;
  PT2RUN_CHECK(api.update_constants_from_blob != nullptr && api.get_constants_blob_size != nullptr,
               NotImplemented, "loading weights from a blob needs a model library from torch >= 2.10");
  uint64_t expected = 0;
  impl_->check(api.get_constants_blob_size(impl_->container, &expected), "GetConstantsBlobSize");
  int fd = ::open(weights_path.c_str(), O_RDONLY | O_CLOEXEC);
  PT2RUN_CHECK(fd >= 0, NotFound, "cannot open weights blob '", weights_path, "': ",
               std::strerror(errno));
  struct stat st {};
  ::fstat(fd, &st);
  const auto size = static_cast<uint64_t>(st.st_size);
  if (size < expected || expected == 0) {
    ::close(fd);
    detail::fail(ErrorCode::InvalidPackage, "weights blob '", weights_path, "' has ", size,
                 " bytes but the model expects ", expected);
  }
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  PT2RUN_CHECK(map != MAP_FAILED, Io, "cannot map '", weights_path, "': ", std::strerror(errno));
  AOTIRuntimeError rc = api.update_constants_from_blob(impl_->container,
                                                       static_cast<const uint8_t*>(map));
  ::munmap(map, size);  // the model copies what it needs
  impl_->check(rc, "UpdateConstantsFromBlob");
}

std::size_t AOTIModelContainerRunner::num_inputs() const { return impl_->input_names.size(); }
std::size_t AOTIModelContainerRunner::num_outputs() const { return impl_->output_names.size(); }
std::vector<std::string> AOTIModelContainerRunner::get_input_names() const {
  return impl_->input_names;
}
std::vector<std::string> AOTIModelContainerRunner::get_output_names() const {
  return impl_->output_names;
}
const std::string& AOTIModelContainerRunner::device_str() const { return impl_->device_str; }

}  // namespace pt2run
