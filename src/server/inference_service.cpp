#include "server/inference_service.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>

#include "pt2run/inspect.h"
#include "pt2run/package_loader.h"
#include "pt2run/tensor_file.h"
#include "pt2run/version.h"
#include "core/text.h"
#include "server/model_scheduler.h"

namespace pt2run::server {
namespace {

using json = nlohmann::json;

// Every model is served as version "1": a package is one version of a model.
constexpr const char* kVersion = "1";

// Names in bodies come from packages and requests: a stray byte is replaced, never thrown.
HttpResponse json_response(int status, const json& body) {
  return {status, "application/json", {}, body.dump(-1, ' ', false, json::error_handler_t::replace)};
}

HttpResponse error_response(int status, const std::string& message) {
  return {status, "application/json", {}, error_body(message)};
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

// A v2 tensor description: name, datatype, shape with -1 for dynamic sizes.
json tensor_metadata(const TensorInfo& t, const std::string& fallback_name) {
  json shape = json::array();
  if (t.dims)
    for (const DimInfo& d : *t.dims) shape.push_back(d.size ? *d.size : -1);
  std::string datatype = t.dtype ? std::string(datatype_of(*t.dtype)) : "";
  return {{"name", t.name.empty() ? fallback_name : t.name}, {"datatype", datatype}, {"shape", shape}};
}

// Requests stack along the first dimension when every input and output has it dynamic, and
// it is one symbol (the batch) throughout.
bool batchable(const ModelInfo& info) {
  std::string symbol;
  for (const auto* list : {&info.inputs, &info.outputs})
    for (const TensorInfo& t : *list) {
      if (!t.dims || t.dims->empty() || !(*t.dims)[0].is_dynamic() || (*t.dims)[0].symbol.empty()) return false;
      if (symbol.empty()) symbol = (*t.dims)[0].symbol;
      if ((*t.dims)[0].symbol != symbol) return false;
    }
  return !symbol.empty();
}

}  // namespace

struct InferenceService::Model {
  ModelConfig config;
  ModelInfo info;
  std::vector<std::string> input_names, output_names;  // v2 names, in the model's order
  std::unique_ptr<AOTIModelPackageLoader> loader;
  std::unique_ptr<ModelScheduler> scheduler;  // after the loader: goes first, draining its queue
  mutable std::atomic<int64_t> in_flight{0};  // infer requests being decoded, queued or running
  mutable std::mutex swap_mutex;
};

InferenceService::InferenceService(std::string repository, RequestLimits limits)
    : repository_(std::move(repository)), limits_(limits) {}

InferenceService::~InferenceService() = default;

ModelConfig InferenceService::load(const ModelConfig& config) {
  if (config.name.empty() || config.name.find('/') != std::string::npos)
    throw Error(ErrorCode::InvalidArgument, "model name '" + config.name + "' is empty or has a '/'");
  if (config.instances < 1) throw Error(ErrorCode::InvalidArgument, "a model needs at least one instance");
  auto model = std::make_shared<Model>();
  model->config = config;
  // A pinned package is checked before anything reads it (inspect_model parses it).
  if (!config.expect_sha256.empty()) check_package_sha256(config.package, config.expect_sha256);
  model->info = inspect_model(config.package);
  if (!model->info.runs_here) {
    std::string why;
    for (const auto& r : model->info.reasons) why += (why.empty() ? "" : "; ") + r;
    throw Error(ErrorCode::UnsupportedPackage, "model '" + config.name + "' (" + config.package +
                                                   ") cannot run here: " + why);
  }
  for (std::size_t i = 0; i < model->info.inputs.size(); ++i) {
    const auto& t = model->info.inputs[i];
    model->input_names.push_back(t.name.empty() ? "input" + std::to_string(i) : t.name);
  }
  for (std::size_t i = 0; i < model->info.outputs.size(); ++i) {
    const auto& t = model->info.outputs[i];
    model->output_names.push_back(t.name.empty() ? "output" + std::to_string(i) : t.name);
  }
  LoaderOptions loader_options;
  loader_options.num_runners = config.instances;
  loader_options.expect_sha256 = config.expect_sha256;
  model->loader = std::make_unique<AOTIModelPackageLoader>(config.package, loader_options);
  ModelConfig& c = model->config;
  const bool stackable = batchable(model->info);
  if (!stackable) {
    // Settings given for every model batch those that can; this one runs requests one by one.
    c.max_batch_size = 1;
  } else if (const auto& max = (*model->info.inputs[0].dims)[0].max;
             max && static_cast<std::size_t>(*max) < c.max_batch_size) {
    // The package's own bound on the batch dimension caps the batches.
    c.max_batch_size = static_cast<std::size_t>(*max);
  }
  AOTIModelPackageLoader* loader = model->loader.get();
  // Requests arrive in host memory; a device model gets its inputs copied over, and its outputs
  // come back to the host once per run (not once per request of a batch).
  const Device device = Device::parse(loader->get_runner()->device_str());
  auto run = [loader, device, info = model->info](std::vector<Tensor>&& inputs) {
    if (!device.is_cpu())
      for (std::size_t i = 0; i < inputs.size(); ++i) inputs[i] = inputs[i].to(input_device(info, i, device));
    std::vector<Tensor> outputs = loader->boxed_run(std::move(inputs));
    for (Tensor& t : outputs)
      if (!t.device().is_cpu()) t = t.to(Device::cpu());
    return outputs;
  };
  model->scheduler = std::make_unique<ModelScheduler>(
      c.name, std::move(run),
      SchedulerOptions{c.instances, limits_.max_queued, c.max_batch_size, c.max_queue_delay},
      stackable,
      [this, name = c.name](std::size_t requests, int64_t rows) { metrics_.observe_batch(name, requests, rows); });
  ModelConfig effective = c;
  std::unique_lock lock(mutex_);
  models_[config.name] = std::move(model);
  return effective;
}

void InferenceService::swap_weights(const std::string& name, std::string_view weights) {
  const auto model = find(name);
  NamedTensors tensors = parse_tensors(std::as_bytes(std::span(weights.data(), weights.size())),
                                       TensorFileFormat::Safetensors, "the weights for model '" + name + "'");
  std::unordered_map<std::string, Tensor> by_fqn;
  for (auto& [fqn, tensor] : tensors) by_fqn.emplace(fqn, std::move(tensor));
  std::lock_guard lock(model->swap_mutex);
  // Runs in flight use the active buffer meanwhile; the swap itself waits for them.
  model->loader->load_constants(by_fqn, /*use_inactive=*/true, /*check_full_update=*/true);
  model->loader->get_runner()->run_const_fold(/*use_inactive=*/true);
  model->loader->get_runner()->swap_constant_buffer();
}

void InferenceService::unload(const std::string& name) {
  std::shared_ptr<const Model> model;
  {
    std::unique_lock lock(mutex_);
    auto it = models_.find(name);
    if (it == models_.end()) throw Error(ErrorCode::NotFound, "no model '" + name + "' is loaded");
    model = std::move(it->second);
    models_.erase(it);
    // Series exist for served models only; a model loaded again starts from zero.
    metrics_.forget(name);
  }
  // Requests still holding the model finish with it; the last one frees it.
}

std::vector<std::string> InferenceService::model_names() const {
  std::shared_lock lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, model] : models_) names.push_back(name);
  return names;
}

std::shared_ptr<const InferenceService::Model> InferenceService::find(const std::string& name) const {
  std::shared_lock lock(mutex_);
  auto it = models_.find(name);
  if (it == models_.end()) throw Error(ErrorCode::NotFound, "no model '" + name + "' is loaded");
  return it->second;
}

HttpResponse InferenceService::handle(const HttpRequest& request) noexcept {
  const auto start = std::chrono::steady_clock::now();
  HttpResponse response;
  std::string error;
  std::vector<std::string> parts;
  try {
    // Model names and messages quote the path: it must be text before anything uses it.
    if (!detail::is_utf8(request.path))
      throw Error(ErrorCode::InvalidArgument,
                  "the request path is not valid UTF-8: " + detail::printable(request.path));
    parts = split_path(request.path);
    response = route(request, parts);
  } catch (const Error& e) {
    error = e.message();
    response = error_response(http_status(e.code()), error);
  } catch (const std::bad_alloc&) {
    error = "out of memory while handling the request";
    response = error_response(507, error);
  } catch (const std::exception& e) {
    error = std::string("internal error: ") + e.what();
    response = error_response(500, error);
  } catch (...) {
    error = "internal error";
    response = error_response(500, error);
  }
  try {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // Inference requests count per served model (/v2/models/NAME[/versions/V]/infer); names
    // that are not served get no series, or any client could grow /metrics without bound.
    if (parts.size() >= 4 && parts[0] == "v2" && parts[1] == "models" && parts.back() == "infer") {
      std::shared_lock lock(mutex_);
      if (models_.contains(parts[2])) metrics_.observe(parts[2], response.status, seconds);
    }
    if (log_) {
      static std::atomic<uint64_t> next_id{1};
      auto id = request.headers.find("x-request-id");
      json line = {{"time", static_cast<int64_t>(std::time(nullptr))},
                   {"request_id", id != request.headers.end() ? id->second : std::to_string(next_id++)},
                   {"method", request.method}, {"path", request.path}, {"status", response.status},
                   {"ms", seconds * 1000}};
      if (!error.empty()) line["error"] = error;
      log_(line.dump(-1, ' ', false, json::error_handler_t::replace));
    }
  } catch (...) {
    // Accounting never turns an answer into a failure.
  }
  return response;
}

HttpResponse InferenceService::route(const HttpRequest& request, const std::vector<std::string>& parts) {
  const bool get = request.method == "GET", post = request.method == "POST";
  if (parts.size() == 1 && parts[0] == "metrics" && get) {
    std::vector<Metrics::ModelGauges> gauges;
    {
      std::shared_lock lock(mutex_);
      for (const auto& [name, model] : models_)
        gauges.push_back({name, model->in_flight.load(), static_cast<int64_t>(model->scheduler->queue_depth())});
    }
    return {200, "text/plain; version=0.0.4", {}, metrics_.render(gauges)};
  }
  if (parts.empty() || parts[0] != "v2") return error_response(404, "no endpoint " + request.path);
  if (parts.size() == 1 && get)
    return json_response(200, {{"name", "pt2run"}, {"version", PT2RUN_VERSION_STRING},
                               {"extensions", {"binary_tensor_data", "model_repository"}}});
  if (parts.size() == 3 && parts[1] == "health" && get) {
    if (parts[2] == "live") return {200, "application/json", {}, ""};
    if (parts[2] == "ready") return {200, "application/json", {}, ""};
  }
  if (parts.size() >= 2 && parts[1] == "repository" && post) {
    if (parts.size() == 3 && parts[2] == "index") return repository_index();
    if (parts.size() == 5 && parts[2] == "models" && parts[4] == "load") {
      ModelConfig config = defaults_;
      config.name = parts[3];
      config.package = repository_package(parts[3]);
      config.expect_sha256 = "";
      if (auto pin = pins_.find(parts[3]); pin != pins_.end()) config.expect_sha256 = pin->second;
      load(config);
      return {200, "application/json", {}, ""};
    }
    if (parts.size() == 5 && parts[2] == "models" && parts[4] == "unload") {
      unload(parts[3]);
      return {200, "application/json", {}, ""};
    }
  }
  if (parts.size() >= 3 && parts[1] == "models") {
    std::size_t rest = 3;
    if (parts.size() >= 5 && parts[3] == "versions") {
      if (parts[4] != kVersion)
        throw Error(ErrorCode::NotFound, "model '" + parts[2] + "' has no version '" + parts[4] + "' (only 1)");
      rest = 5;
    }
    const auto model = find(parts[2]);
    if (parts.size() == rest && get) {
      json inputs = json::array(), outputs = json::array();
      for (std::size_t i = 0; i < model->info.inputs.size(); ++i)
        inputs.push_back(tensor_metadata(model->info.inputs[i], model->input_names[i]));
      for (std::size_t i = 0; i < model->info.outputs.size(); ++i)
        outputs.push_back(tensor_metadata(model->info.outputs[i], model->output_names[i]));
      return json_response(200, {{"name", parts[2]}, {"versions", {kVersion}}, {"platform", "pytorch_aoti"},
                                 {"inputs", inputs}, {"outputs", outputs}});
    }
    if (parts.size() == rest + 1 && parts[rest] == "ready" && get) return {200, "application/json", {}, ""};
    if (parts.size() == rest + 1 && parts[rest] == "infer" && post) return infer(*model, request);
    if (parts.size() == rest + 1 && parts[rest] == "weights" && post) {
      const auto start = std::chrono::steady_clock::now();
      swap_weights(parts[2], request.body);
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      return json_response(200, {{"model", parts[2]}, {"swapped", true}, {"ms", ms}});
    }
  }
  return error_response(request.method == "GET" || request.method == "POST" ? 404 : 405,
                        "no endpoint " + request.method + " " + request.path);
}

HttpResponse InferenceService::infer(const Model& model, const HttpRequest& request) {
  std::optional<std::size_t> header_length;
  if (auto it = request.headers.find("inference-header-content-length"); it != request.headers.end()) {
    std::size_t used = 0;
    unsigned long long value = 0;
    try {
      value = std::stoull(it->second, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != it->second.size())
      throw Error(ErrorCode::InvalidArgument,
                  "Inference-Header-Content-Length '" + detail::printable(it->second, 40) + "' is not a size");
    header_length = static_cast<std::size_t>(value);
  }
  const auto arrived = std::chrono::steady_clock::now();
  struct InFlight {
    const Model& model;
    explicit InFlight(const Model& m) : model(m) { ++model.in_flight; }
    ~InFlight() { --model.in_flight; }
  } in_flight(model);
  InferRequest parsed = parse_infer_request(request.body, header_length, limits_);
  // The model's inputs in its order, each checked against what the package records.
  std::vector<Tensor> inputs(model.input_names.size());
  std::vector<bool> given(inputs.size(), false);
  for (InferInput& in : parsed.inputs) {
    // Any name the input goes by (pt2run::input_aliases): its v2 name (the pytree path), the
    // forward's parameter name, the graph name, arr_N.
    const std::optional<std::size_t> found = find_input(model.info, in.name);
    if (!found)
      throw Error(ErrorCode::InvalidArgument, "model '" + model.config.name + "' has no input '" + in.name + "'");
    const std::size_t i = *found;
    if (given[i])
      throw Error(ErrorCode::InvalidArgument, "input '" + in.name + "' is input '" + model.input_names[i] +
                                                  "', which the request already gave");
    const TensorInfo& info = model.info.inputs[i];
    if (info.dtype && *info.dtype != in.tensor.dtype())
      throw Error(ErrorCode::DTypeMismatch, "input '" + in.name + "' must be " +
                                                std::string(datatype_of(*info.dtype)) + ", got " +
                                                std::string(datatype_of(in.tensor.dtype())));
    if (info.dims) {
      const auto& dims = *info.dims;
      bool fits = static_cast<int64_t>(dims.size()) == in.tensor.dim();
      for (std::size_t d = 0; fits && d < dims.size(); ++d) {
        const int64_t size = in.tensor.sizes()[d];
        fits = dims[d].size ? size == *dims[d].size : size >= dims[d].min && (!dims[d].max || size <= *dims[d].max);
      }
      if (!fits) {
        json expected = tensor_metadata(info, in.name)["shape"];
        json got = json::array();
        for (int64_t s : in.tensor.sizes()) got.push_back(s);
        throw Error(ErrorCode::ShapeMismatch, "input '" + in.name + "' must have shape " + expected.dump() +
                                                  " (-1: any size), got " + got.dump());
      }
    }
    inputs[i] = std::move(in.tensor);
    given[i] = true;
  }
  std::string missing;
  for (std::size_t i = 0; i < given.size(); ++i)
    if (!given[i]) missing += (missing.empty() ? "'" : ", '") + model.input_names[i] + "'";
  if (!missing.empty())
    throw Error(ErrorCode::InvalidArgument, "model '" + model.config.name + "' needs input(s) " + missing);

  // Admission (a bounded queue: 503 beyond it), the timeout and batching are the scheduler's.
  auto deadline = model.config.request_timeout.count() > 0 ? arrived + model.config.request_timeout
                                                            : ModelScheduler::Clock::time_point::max();
  if (parsed.timeout_us) {
    // Capped at a day: the sum below must not overflow the clock.
    const auto asked = std::chrono::microseconds(std::min<uint64_t>(*parsed.timeout_us, 86'400'000'000ull));
    deadline = std::min(deadline, arrived + asked);
  }
  std::vector<Tensor> results = model.scheduler->infer(std::move(inputs), deadline);
  std::vector<InferOutput> outputs;
  for (std::size_t i = 0; i < results.size(); ++i)
    outputs.push_back({i < model.output_names.size() ? model.output_names[i] : "output" + std::to_string(i),
                       std::move(results[i])});
  EncodedBody encoded = encode_infer_response(model.config.name, kVersion, parsed, outputs);
  HttpResponse response{200, "application/json", {}, std::move(encoded.body)};
  if (encoded.header_length) {
    response.content_type = "application/octet-stream";
    response.headers.emplace_back("Inference-Header-Content-Length", std::to_string(*encoded.header_length));
  }
  return response;
}

std::string InferenceService::repository_package(const std::string& name) const {
  if (repository_.empty())
    throw Error(ErrorCode::NotFound, "no model repository: start the server with one to load models by name");
  if (name.empty() || name.find("..") != std::string::npos)
    throw Error(ErrorCode::InvalidArgument, "model name '" + name + "' is not a repository entry");
  const std::filesystem::path root(repository_);
  for (const auto& candidate : {root / name / "model.pt2", root / (name + ".pt2")})
    if (std::filesystem::is_regular_file(candidate)) return candidate.string();
  throw Error(ErrorCode::NotFound, "the repository " + repository_ + " has no model '" + name + "' (" + name +
                                       "/model.pt2 or " + name + ".pt2)");
}

HttpResponse InferenceService::repository_index() const {
  std::map<std::string, std::string> state;
  if (!repository_.empty() && std::filesystem::is_directory(repository_)) {
    for (const auto& entry : std::filesystem::directory_iterator(repository_)) {
      const auto& p = entry.path();
      if (entry.is_directory() && std::filesystem::is_regular_file(p / "model.pt2")) state[p.filename()] = "UNAVAILABLE";
      else if (entry.is_regular_file() && p.extension() == ".pt2") state[p.stem()] = "UNAVAILABLE";
    }
  }
  for (const auto& name : model_names()) state[name] = "READY";
  json index = json::array();
  for (const auto& [name, s] : state) {
    json entry = {{"name", name}, {"state", s}};
    if (s == "READY") entry["version"] = kVersion;
    index.push_back(entry);
  }
  return json_response(200, index);
}

}  // namespace pt2run::server
