#include "pt2run/inspect.h"

#include <algorithm>

#include "core/mapped_file.h"
#include "model/appended_weights.h"
#include "package/thread_bound.h"
#include "model/elf_image.h"
#include "model/model_library.h"
#include "package/call_spec.h"
#include "ops/proxy_executor.h"
#include "runner/device_plugins.h"
#include "package/exported_signature.h"
#include "package/extern_nodes.h"
#include "pt2run/custom_ops.h"
#include "package/host_compat.h"
#include "package/model_source.h"
#include "package/package.h"
#include "pt2run/error.h"
#include "pt2run/runner.h"

namespace pt2run {
namespace {

std::optional<DType> dtype_of(const std::string& name) {
  if (name.empty()) return std::nullopt;
  return dtype_from_name(name);
}

TensorInfo tensor_info(const detail::SourceTensor& t, const std::string& path) {
  TensorInfo info;
  info.graph_name = t.name;
  info.name = path.empty() ? t.name : path;
  info.dtype = dtype_of(t.dtype);
  if (t.device_type && (*t.device_type == 0 || *t.device_type == 1)) info.device_type = static_cast<DeviceType>(*t.device_type);
  if (t.dims) {
    std::vector<DimInfo> dims;
    for (const auto& d : *t.dims) dims.push_back({d.size, d.symbol, d.min, d.max});
    info.dims = std::move(dims);
  }
  return info;
}

bool is_libtorch_cxx(const std::string& s) {
  return s.starts_with("_ZN3c10") || s.starts_with("_ZN2at") || s.starts_with("_ZN5torch") ||
         s.starts_with("_ZNK3c10") || s.starts_with("_ZNK2at");
}

}  // namespace

ModelInfo inspect_model(const std::string& package_path, const std::string& model_name) {
  auto package = detail::Pt2Package::open(package_path);
  ModelInfo info;
  info.package = package_path;
  info.model = model_name;
  info.models_in_package = package->model_names();
  detail::ModelFiles files = package->model(model_name);
  info.metadata = package->metadata(files);
  // A CUDA package is judged with the CUDA backend loaded, as AOTIModelPackageLoader would.
  auto device_key = info.metadata.find("AOTI_DEVICE_KEY");
  const std::string plugin_error =
      device_key == info.metadata.end() ? "" : detail::load_device_plugin_if_needed(device_key->second);

  // Generated host code: constants, inputs, outputs, call specs.
  detail::ModelSource source;
  if (files.wrapper_source) source = detail::parse_model_source(package->archive().read(*files.wrapper_source));
  info.in_spec = source.in_spec;
  info.out_spec = source.out_spec;
  const auto in_paths = detail::input_paths(source.in_spec);
  const auto out_paths = detail::output_paths(source.out_spec);
  for (std::size_t i = 0; i < source.inputs.size(); ++i)
    info.inputs.push_back(tensor_info(source.inputs[i], source.inputs.size() == in_paths.size() ? in_paths[i] : ""));
  if (files.exported_program) {
    const std::string label = "'" + files.exported_program->name + "'";
    try {
      const auto names = detail::user_input_names(package->archive().read(*files.exported_program), label);
      if (names.size() == info.inputs.size())
        for (std::size_t i = 0; i < names.size(); ++i) info.inputs[i].parameter_name = names[i];
      else
        info.notes.push_back("the exported program " + label + " names " + std::to_string(names.size()) +
                             " tensor input(s) but the model takes " + std::to_string(info.inputs.size()) +
                             ": its names are not used");
    } catch (const Error& e) {
      info.notes.push_back(e.message() + ": the inputs go by their pytree paths and graph names only");
    }
  }
  for (std::size_t i = 0; i < source.outputs.size(); ++i)
    info.outputs.push_back(tensor_info(source.outputs[i], source.outputs.size() == out_paths.size() ? out_paths[i] : ""));
  uint64_t stored_weights = 0;
  for (const auto& c : source.constants) {
    info.constants.push_back({c.name, c.fqn, dtype_of(c.dtype), c.shape, c.data_size, c.from_folded, c.type});
    if (!c.from_folded) stored_weights += c.data_size;
    info.constants_bytes += c.data_size;
  }

  // The library, examined in place of loading it. A stored entry (torch stores libraries
  // uncompressed) is mapped: only the pages holding the ELF tables are read, not the weights.
  const detail::ZipArchive& archive = package->archive();
  std::string library;
  detail::MappedFile mapped;
  unsigned char* library_bytes = nullptr;
  std::size_t library_size = 0;
  // (Opening the archive checked that the stored bytes lie inside the file.)
  if (files.library->method == 0 && archive.fd() >= 0 && files.library->compressed_size > 0 &&
      files.library->size == files.library->compressed_size) {
    mapped = detail::MappedFile::map(archive.fd(), archive.fd_offset(*files.library), files.library->compressed_size,
                                     package_path + ":" + files.library->name);
    // As loading would: a damaged library is reported, not described.
    archive.check_crc(*files.library, mapped.data());
    library_bytes = mapped.data();
    library_size = mapped.size();
  } else {
    library = archive.read(*files.library);
    library_bytes = reinterpret_cast<unsigned char*>(library.data());
    library_size = library.size();
  }
  detail::ElfImage image(library_bytes, library_size, package_path + ":" + files.library->name);
  info.needed_libraries = image.needed_libraries();
  std::vector<std::string> missing, cxx;
  auto imports = image.undefined_symbols();
  std::sort(imports.begin(), imports.end());
  imports.erase(std::unique(imports.begin(), imports.end()), imports.end());
  for (const auto& symbol : imports) {
    if (is_libtorch_cxx(symbol)) cxx.push_back(symbol);
    if (!symbol.starts_with("aoti_") && !symbol.starts_with("Sleef_")) continue;
    const bool supported = detail::shim_provides(symbol);
    info.imports.push_back({symbol, supported});
    if (!supported) missing.push_back(symbol);
  }

  // Ops behind the proxy executor: those registered (pt2run's ATen ops and the caller's own
  // custom ops) run.
  if (files.extern_nodes) {
    try {
      const std::string json = package->archive().read(*files.extern_nodes);
      for (auto& op : detail::extern_node_targets(json, files.extern_nodes->name)) {
        bool seen = std::any_of(info.proxy_ops.begin(), info.proxy_ops.end(),
                                [&](const ImportInfo& i) { return i.symbol == op; });
        if (!seen) info.proxy_ops.push_back({op, is_op_registered(op)});
      }
      std::string list;
      for (const auto& op : info.proxy_ops)
        if (!op.supported) list += (list.empty() ? "" : ", ") + op.symbol;
      if (!list.empty())
        info.reasons.push_back("it runs op(s) through AOTInductor's proxy executor that pt2run "
                               "does not implement and nobody registered: " + list);
      else
        detail::ProxyExecutor(json, files.extern_nodes->name);  // do the schemas fit the nodes?
    } catch (const Error& e) {
      info.reasons.push_back(e.what());
    }
  }

  const detail::ThreadBound bound = detail::package_thread_bound(*package, files);
  info.max_threads = bound.max_threads;
  info.max_threads_known = bound.known;

  // Where the weights are.
  std::optional<detail::AppendedWeights> appended;
  try {
    appended = detail::find_appended_weights(image, files.library->name);
  } catch (const Error& e) {
    info.reasons.push_back(e.what());
  }
  const auto start = image.defined_symbol_address("_binary_constants_bin_start");
  const auto end = image.defined_symbol_address("_binary_constants_bin_end");
  const uint64_t embedded = start && end && *end >= *start ? *end - *start : 0;
  if (files.weights_blob) info.weights = "blob";
  else if (files.weights_config) info.weights = "pickle_weights";
  else if (appended) info.weights = "appended";
  else if (stored_weights > 0 && embedded < stored_weights) info.weights = "none";
  else info.weights = "library";

  // The verdict: everything that keeps it from running here.
  for (auto& reason : detail::host_incompatibilities(info.metadata)) info.reasons.push_back(reason);
  auto device = info.metadata.find("AOTI_DEVICE_KEY");
  if (device == info.metadata.end() || device->second.empty())
    info.reasons.push_back("the package records no device (AOTI_DEVICE_KEY)");
  else if (!getAOTIModelRunnerRegistry().contains(device->second))
    info.reasons.push_back("it targets device '" + device->second + "', for which this pt2run has no runner" +
                           (plugin_error.empty() ? "" : " (loading its backend failed: " + plugin_error + ")"));
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    info.reasons.push_back("it calls " + std::to_string(missing.size()) +
                           " function(s) pt2run does not provide: " + list + ". " +
                           detail::missing_symbols_advice(missing));
  }
  if (!cxx.empty())
    info.reasons.push_back("it calls libtorch's C++ API directly (" + std::to_string(cxx.size()) +
                           " symbols, e.g. " + cxx[0] + ")");
  info.runs_here = info.reasons.empty();
  return info;
}

Device input_device(const ModelInfo& info, std::size_t index, Device model_device) {
  if (index < info.inputs.size() && info.inputs[index].device_type && *info.inputs[index].device_type != model_device.type)
    return Device{*info.inputs[index].device_type, -1};
  return model_device;
}

}  // namespace pt2run
