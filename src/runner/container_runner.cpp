#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <shared_mutex>

#include "core/check.h"
#include "core/mapped_file.h"
#include "model/container_api.h"
#include "model/model_library.h"
#include "pt2run/runner.h"
#include "ops/proxy_executor.h"
#include "package/model_source.h"
#include "package/thread_bound.h"
#include "runner/input_checks.h"
#include "runner/constant_buffers.h"
#include "runner/container.h"
#include "runner/runner_access.h"
#include "runner/threading_internal.h"
#include "shim/input_handles.h"
#include "shim/shim_guard.h"

namespace pt2run {
namespace {

AtenTensorHandle to_handle(Tensor t) { return shim::release_handle(std::move(t)); }

}  // namespace

struct AOTIModelContainerRunner::Impl {
  std::unique_ptr<detail::ModelLibrary> library;
  detail::Container container;
  std::unique_ptr<detail::ConstantBuffers> constants;
  std::shared_ptr<const detail::ProxyExecutor> proxy_executor;
  // A device runner's own stream, used when run() gets none; waited for before returning.
  void* default_stream = nullptr;
  std::function<void(void*)> wait_for_stream;
  std::function<void(void*)> release_stream;
  // Concurrent runs given no stream each take one of the runner's streams (default_stream
  // first, more from make_stream as needed), so num_models instances overlap on the device
  // instead of queueing on one stream and each waiting for all of it.
  std::function<void*()> make_stream;
  std::mutex streams_mutex;
  std::vector<void*> idle_streams;
  std::vector<void*> extra_streams;
  // The first run after the active constants change may fold them (lazily, inside the
  // container) on its stream; runs on the runner's other streams must not read them before
  // that work is done, so such a run goes alone and waits for its stream first.
  std::shared_mutex stream_gate;
  std::atomic<bool> settle_next_run{true};
  std::string device_str;
  Device device;
  bool single_threaded = false;
  std::size_t num_models = 1;
  std::atomic<bool> started{false};  // a run or fold has happened
  std::shared_ptr<detail::RunInterceptor> interceptor;
  std::vector<std::string> output_names;
  std::vector<detail::SourceTensor> input_specs;  // empty: none recorded
  // The most threads the model's kernels can run with (package/thread_bound.h); 0: no bound.
  int max_threads = 0;
  std::atomic<bool> told_thread_bound{false};

  // Every run and fold goes through here: OpenMP's pool for this thread, within the bound.
  void apply_threads() {
    const detail::AppliedThreads threads = detail::apply_thread_setting(max_threads);
    if (threads.effective < threads.wanted && !told_thread_bound.exchange(true))
      std::fprintf(stderr,
                   "pt2run: model library '%s' was compiled for at most %d threads (its kernels keep "
                   "per-thread results in arrays of that size); its runs use %d threads, not %d\n",
                   container.library_name.c_str(), max_threads, threads.effective, threads.wanted);
  }

  ~Impl() {
    if (container.handle) container.api.destroy(container.handle);
    constants.reset();  // frees user-managed handles the container referenced
    if (default_stream && release_stream) release_stream(default_stream);
    for (void* s : extra_streams)
      if (release_stream) release_stream(s);
  }

  // One of the runner's streams for one run, handed back when the lease goes.
  class StreamLease {
   public:
    explicit StreamLease(Impl& impl) : impl_(impl) {
      std::lock_guard lock(impl_.streams_mutex);
      if (!impl_.idle_streams.empty()) {
        stream_ = impl_.idle_streams.back();
        impl_.idle_streams.pop_back();
      } else {
        stream_ = impl_.make_stream();
        impl_.extra_streams.push_back(stream_);
      }
    }
    ~StreamLease() {
      std::lock_guard lock(impl_.streams_mutex);
      impl_.idle_streams.push_back(stream_);
    }
    StreamLease(const StreamLease&) = delete;
    StreamLease& operator=(const StreamLease&) = delete;
    void* stream() const { return stream_; }

   private:
    Impl& impl_;
    void* stream_ = nullptr;
  };

  const std::vector<std::string>& input_names() const { return container.input_names; }

  std::vector<Tensor> run(std::vector<AtenTensorHandle>& inputs, void* stream) {
    apply_threads();
    started.store(true, std::memory_order_relaxed);
    const bool own_stream = stream == nullptr && default_stream != nullptr;
    std::optional<StreamLease> lease;
    std::unique_lock<std::shared_mutex> alone;
    std::shared_lock<std::shared_mutex> together;
    if (own_stream) {
      if (settle_next_run.load(std::memory_order_acquire)) {
        alone = std::unique_lock(stream_gate);
        if (!settle_next_run.load(std::memory_order_relaxed)) alone.unlock();
      }
      if (!alone.owns_lock()) together = std::shared_lock(stream_gate);
      lease.emplace(*this);
      stream = lease->stream();
    }
    std::vector<AtenTensorHandle> outputs(output_names.size(), nullptr);
    shim::clear_last_error();
    AOTIRuntimeError rc;
    {
      shim::InputHandleScope scope(inputs);
      // Inside the scope, so the inputs are freed when the weights are missing.
      constants->enter_run();
      auto run_fn = single_threaded ? container.api.run_single_threaded : container.api.run;
      rc = run_fn(container.handle, inputs.data(), inputs.size(), outputs.data(), outputs.size(),
                  reinterpret_cast<AOTInductorStreamHandle>(stream),
                  static_cast<AOTIProxyExecutorHandle>(container.proxy_executor));
    }
    if (rc != 0) {
      // Free whatever outputs the model produced before failing.
      for (std::size_t i = 0; i < outputs.size(); ++i) {
        if (outputs[i] && std::find(outputs.begin(), outputs.begin() + static_cast<long>(i), outputs[i]) ==
                              outputs.begin() + static_cast<long>(i))
          delete reinterpret_cast<Tensor*>(outputs[i]);
      }
      container.check(rc, "run");
    }
    if (own_stream) wait_for_stream(stream);
    if (alone.owns_lock()) settle_next_run.store(false, std::memory_order_release);
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

  // What the generated code records of each input, when it records it for all of them.
  void set_input_specs(std::vector<detail::SourceTensor> specs) {
    if (specs.size() == input_names().size()) input_specs = std::move(specs);
  }

  void validate(const std::vector<Tensor>& inputs) const {
    const auto& names = input_names();
    PT2RUN_CHECK(inputs.size() == names.size(), InvalidArgument, "the model takes ",
                 names.size(), " input(s) but run() got ", inputs.size(),
                 " (inputs are the flattened pytree of the exported call)");
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      const Tensor& t = inputs[i];
      PT2RUN_CHECK(t.defined(), InvalidArgument, "input ", i, " ('", names[i],
                   "') is an undefined tensor");
      // The generated code may declare an input on the host (a CUDA model's torch.cond
      // predicate); an input elsewhere than declared would hand code memory it cannot read.
      const std::optional<int32_t> declared = input_specs.empty() ? std::nullopt : input_specs[i].device_type;
      const int32_t wanted = declared ? *declared : static_cast<int32_t>(device.type);
      PT2RUN_CHECK(static_cast<int32_t>(t.device().type) == wanted, DeviceMismatch, "input ", i, " ('", names[i],
                   "') is on ", t.device().str(), " but the model ",
                   declared && *declared != static_cast<int32_t>(device.type)
                       ? std::string("takes it on ") + (*declared == 0 ? "cpu" : "another device")
                       : "runs on " + device_str);
    }
    if (!input_specs.empty()) detail::check_inputs_against(inputs, names, input_specs);
  }

  static std::vector<AtenTensorHandle> wrap(std::vector<Tensor>&& inputs) {
    std::vector<AtenTensorHandle> handles;
    handles.reserve(inputs.size());
    for (Tensor& t : inputs) handles.push_back(to_handle(std::move(t)));
    return handles;
  }

  void constants_changed() {
    settle_next_run.store(true, std::memory_order_release);
    if (interceptor) interceptor->constants_changed();
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
  impl_->num_models = num_models;
  impl_->library = detail::ModelLibrary::open_file(model_so_path);
  // A library from a package: the package loader sets these from the package's sources.
  const detail::LibrarySources sources = detail::library_sources(model_so_path);
  impl_->max_threads = detail::sources_thread_bound(sources).max_threads.value_or(0);
  detail::Container& c = impl_->container;
  c.library_name = impl_->library->name();
  c.api = detail::ContainerApi::resolve(*impl_->library);
  PT2RUN_CHECK(!run_single_threaded || c.api.run_single_threaded != nullptr, NotImplemented,
               "model library '", model_so_path,
               "' has no AOTInductorModelContainerRunSingleThreaded (torch < 2.7)");
  shim::clear_last_error();
  c.check(c.api.create_with_device(&c.handle, num_models, device_str.c_str(),
                                   cubin_dir.empty() ? nullptr : cubin_dir.c_str()),
          "creating the model container");
  // A lent copy is still the package loader's; it calls release_weights_copy after closing it.
  if (!impl_->library->uses_lent_copy()) detail::RunnerAccess::release_weights_copy(*this);
  std::size_t n = 0;
  c.check(c.api.get_num_inputs(c.handle, &n), "GetNumInputs");
  for (std::size_t i = 0; i < n; ++i) {
    const char* name = nullptr;
    c.check(c.api.get_input_name(c.handle, i, &name), "GetInputName");
    c.input_names.emplace_back(name ? name : "");
  }
  c.check(c.api.get_num_outputs(c.handle, &n), "GetNumOutputs");
  for (std::size_t i = 0; i < n; ++i) {
    const char* name = nullptr;
    c.check(c.api.get_output_name(c.handle, i, &name), "GetOutputName");
    impl_->output_names.emplace_back(name ? name : "");
  }
  if (!sources.wrapper.empty())
    impl_->set_input_specs(detail::parse_model_source(sources.wrapper).inputs);
  impl_->constants = std::make_unique<detail::ConstantBuffers>(c, impl_->device);
  impl_->constants->set_fold_at_next_run(run_single_threaded);
  // As libtorch: the node list of ops run through the proxy executor sits next to the library,
  // <stem>.json for <stem>.so (the package loader installs it from the package instead).
  auto dot = model_so_path.rfind('.');
  auto slash = model_so_path.rfind('/');
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) {
    std::string json_path = model_so_path.substr(0, dot) + ".json";
    if (::access(json_path.c_str(), F_OK) == 0) {
      auto json = detail::MappedFile::open(json_path, "proxy executor node list");
      detail::RunnerAccess::set_proxy_executor(
          *this, std::make_shared<detail::ProxyExecutor>(
                     std::string_view(reinterpret_cast<const char*>(json.data()), json.size()),
                     "'" + json_path + "'"));
    }
  }
}

AOTIModelContainerRunner::~AOTIModelContainerRunner() = default;

std::vector<Tensor> AOTIModelContainerRunner::run(const std::vector<Tensor>& inputs,
                                                  void* stream_handle) {
  return boxed_run(std::vector<Tensor>(inputs), stream_handle);
}

std::vector<Tensor> AOTIModelContainerRunner::boxed_run(std::vector<Tensor>&& inputs,
                                                        void* stream_handle) {
  std::vector<Tensor> taken = std::move(inputs);
  inputs.clear();
  impl_->validate(taken);
  if (impl_->interceptor) return impl_->interceptor->run(*this, std::move(taken), stream_handle);
  std::vector<AtenTensorHandle> handles = Impl::wrap(std::move(taken));
  return impl_->run(handles, stream_handle);
}

std::unordered_map<std::string, std::string>
AOTIModelContainerRunner::getConstantNamesToOriginalFQNs() const {
  std::unordered_map<std::string, std::string> result;
  for (const auto& c : impl_->constants->constants()) result.emplace(c.name, c.fqn);
  return result;
}

std::unordered_map<std::string, int32_t> AOTIModelContainerRunner::getConstantNamesToDtypes() const {
  std::unordered_map<std::string, int32_t> result;
  for (const auto& c : impl_->constants->constants()) result.emplace(c.name, dtype_code(c.dtype));
  return result;
}

std::unordered_map<std::string, Tensor> AOTIModelContainerRunner::extract_constants_map(
    bool use_inactive) const {
  return impl_->constants->extract(use_inactive);
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
  impl_->constants->update(const_map, use_inactive, validate_full_updates, user_managed);
  if (!use_inactive) impl_->constants_changed();
}

void AOTIModelContainerRunner::run_const_fold(bool use_inactive, void* stream_handle) {
  impl_->apply_threads();
  impl_->started.store(true, std::memory_order_relaxed);
  // As run(): without a stream, a device runner folds on its own stream and waits (the legacy
  // default stream would not be ordered with the runner's non-blocking one).
  void* stream = stream_handle ? stream_handle : impl_->default_stream;
  impl_->constants->run_const_fold(use_inactive, stream);
  if (stream_handle == nullptr && impl_->default_stream != nullptr) impl_->wait_for_stream(stream);
  if (!use_inactive) impl_->constants_changed();
}

void AOTIModelContainerRunner::swap_constant_buffer() {
  impl_->constants->swap();
  impl_->constants_changed();
}

void AOTIModelContainerRunner::free_inactive_constant_buffer() {
  impl_->constants->free_inactive();
}

std::vector<std::string> AOTIModelContainerRunner::get_call_spec() {
  const char* in_spec = nullptr;
  const char* out_spec = nullptr;
  detail::Container& c = impl_->container;
  c.check(c.api.get_call_spec(c.handle, &in_spec, &out_spec), "GetCallSpec");
  return {in_spec ? in_spec : "", out_spec ? out_spec : ""};
}

void AOTIModelContainerRunner::update_constant_buffer_from_blob(const std::string& weights_path) {
  detail::MappedFile blob = detail::MappedFile::open(weights_path, "weights blob");
  impl_->constants->load_blob(blob.data(), blob.size(), "weights blob '" + weights_path + "'");
  impl_->constants_changed();
}

std::size_t AOTIModelContainerRunner::num_inputs() const { return impl_->input_names().size(); }
std::size_t AOTIModelContainerRunner::num_outputs() const { return impl_->output_names.size(); }
std::vector<std::string> AOTIModelContainerRunner::get_input_names() const {
  return impl_->input_names();
}
std::vector<std::string> AOTIModelContainerRunner::get_output_names() const {
  return impl_->output_names;
}
const std::string& AOTIModelContainerRunner::device_str() const { return impl_->device_str; }

namespace detail {

void RunnerAccess::add_constant_layouts(AOTIModelContainerRunner& runner,
                                        const std::map<std::string, ConstantLayout>& layouts) {
  runner.impl_->constants->add_layouts(layouts);
}

void RunnerAccess::set_default_stream(AOTIModelContainerRunner& runner, void* stream,
                                      std::function<void(void*)> wait,
                                      std::function<void(void*)> release,
                                      std::function<void*()> make) {
  auto& impl = *runner.impl_;
  PT2RUN_CHECK(impl.default_stream == nullptr && stream != nullptr && wait && release && make, Internal,
               "a runner's default stream is set once, with all its functions");
  impl.default_stream = stream;
  impl.wait_for_stream = std::move(wait);
  impl.release_stream = std::move(release);
  impl.make_stream = std::move(make);
  impl.idle_streams = {stream};
}

void* RunnerAccess::default_stream(const AOTIModelContainerRunner& runner) {
  return runner.impl_->default_stream;
}

void RunnerAccess::set_run_interceptor(AOTIModelContainerRunner& runner,
                                       std::shared_ptr<RunInterceptor> interceptor) {
  runner.impl_->interceptor = std::move(interceptor);
}

std::vector<Tensor> RunnerAccess::run_eager(AOTIModelContainerRunner& runner, std::vector<Tensor>&& inputs,
                                            void* stream) {
  std::vector<AtenTensorHandle> handles = AOTIModelContainerRunner::Impl::wrap(std::move(inputs));
  return runner.impl_->run(handles, stream);
}

void RunnerAccess::use_single_threaded_runs(AOTIModelContainerRunner& runner) {
  auto& impl = *runner.impl_;
  PT2RUN_CHECK(impl.num_models == 1, InvalidArgument, "this needs a runner with num_models == 1 (got ",
               impl.num_models, "); run several runners for concurrency");
  PT2RUN_CHECK(impl.container.api.run_single_threaded != nullptr, NotImplemented, "model library '",
               impl.container.library_name, "' has no AOTInductorModelContainerRunSingleThreaded (torch < 2.7)");
  PT2RUN_CHECK(!impl.started.load(std::memory_order_relaxed), InvalidState,
               "switch before the first run or constant fold: the container's model pool cannot change "
               "mode afterwards");
  impl.single_threaded = true;
  impl.constants->set_fold_at_next_run(true);
}

void RunnerAccess::set_proxy_executor(AOTIModelContainerRunner& runner,
                                      std::shared_ptr<const ProxyExecutor> executor) {
  runner.impl_->proxy_executor = std::move(executor);
  runner.impl_->container.proxy_executor =
      const_cast<ProxyExecutor*>(runner.impl_->proxy_executor.get());
}

void RunnerAccess::set_input_specs(AOTIModelContainerRunner& runner, std::vector<SourceTensor> specs) {
  runner.impl_->set_input_specs(std::move(specs));
}

void RunnerAccess::set_max_threads(AOTIModelContainerRunner& runner, int max_threads) {
  runner.impl_->max_threads = max_threads > 0 ? max_threads : 0;
}

void RunnerAccess::release_weights_copy(AOTIModelContainerRunner& runner) {
  Container& c = runner.impl_->container;
  // Containers load the embedded constants at creation (aoti-abi.md §2.1); a library that can
  // say whether it did is asked, so a lazily loading one keeps its copy.
  bool loaded = true;
  if (c.api.did_call_load_constants != nullptr && c.api.did_call_load_constants(c.handle, &loaded) != 0)
    loaded = false;
  if (loaded) runner.impl_->library->release_weights_copy();
}

void RunnerAccess::load_blob(AOTIModelContainerRunner& runner, const uint8_t* data, uint64_t size,
                             const std::string& what) {
  runner.impl_->constants->load_blob(data, size, what);
  runner.impl_->constants_changed();
}

}  // namespace detail
}  // namespace pt2run
