// ModelInfo as JSON: what `pt2run inspect --json` prints and pt2run.inspect() returns in Python.

#include <nlohmann/json.hpp>

#include "pt2run/cpu.h"
#include "pt2run/inspect.h"
#include "pt2run/threading.h"

namespace pt2run {
namespace {

using nlohmann::json;

json dtype_json(const std::optional<DType>& d) { return d ? json(std::string(dtype_name(*d))) : json(nullptr); }

json tensor_json(const TensorInfo& t) {
  json j = {{"name", t.name}, {"graph_name", t.graph_name}};
  j["dtype"] = dtype_json(t.dtype);
  if (t.device_type) j["device"] = *t.device_type == DeviceType::CPU ? "cpu" : "cuda";
  if (t.dims) {
    json dims = json::array();
    for (const auto& d : *t.dims) {
      if (d.size) {
        dims.push_back(*d.size);
        continue;
      }
      json dyn = {{"dynamic", true}, {"symbol", d.symbol}, {"min", d.min}};
      dyn["max"] = d.max ? json(*d.max) : json(nullptr);
      dims.push_back(dyn);
    }
    j["shape"] = dims;
  } else {
    j["shape"] = nullptr;
  }
  return j;
}

}  // namespace

std::string model_info_json(const ModelInfo& info, int indent) {
  json j;
  j["package"] = info.package;
  j["model"] = info.model;
  j["models"] = info.models_in_package;
  j["metadata"] = info.metadata;
  j["call_spec"] = {info.in_spec, info.out_spec};
  j["inputs"] = json::array();
  for (std::size_t i = 0; i < info.inputs.size(); ++i) {
    json t = tensor_json(info.inputs[i]);
    t["parameter_name"] = info.inputs[i].parameter_name;
    t["aliases"] = input_aliases(info, i);  // every name run, bench and serve accept for it
    j["inputs"].push_back(std::move(t));
  }
  j["outputs"] = json::array();
  for (const auto& t : info.outputs) j["outputs"].push_back(tensor_json(t));
  j["constants"] = json::array();
  for (const auto& c : info.constants)
    j["constants"].push_back({{"name", c.name}, {"fqn", c.fqn}, {"dtype", c.dtype ? json(std::string(dtype_name(*c.dtype))) : json("?")},
                              {"shape", c.shape}, {"bytes", c.bytes}, {"folded", c.from_folded}, {"type", c.type}});
  j["constants_bytes"] = info.constants_bytes;
  j["weights"] = info.weights;
  j["imports"] = json::array();
  for (const auto& s : info.imports) j["imports"].push_back({{"symbol", s.symbol}, {"supported", s.supported}});
  j["proxy_ops"] = json::array();
  for (const auto& s : info.proxy_ops) j["proxy_ops"].push_back({{"op", s.symbol}, {"supported", s.supported}});
  j["needed_libraries"] = info.needed_libraries;
  // null: no bound (or unknown, with max_threads_known false).
  j["max_threads"] = info.max_threads ? json(*info.max_threads) : json(nullptr);
  j["max_threads_known"] = info.max_threads_known;
  j["default_threads"] = default_num_threads();
  const CpuKernels cpu = cpu_kernels();
  j["cpu_kernels"] = {{"gemm", cpu.gemm}, {"convolution", cpu.convolution}, {"float64_gemm", cpu.float64_gemm}};
  j["runs_here"] = info.runs_here;
  j["reasons"] = info.reasons;
  j["notes"] = info.notes;
  // Names come from the package: a byte that is not UTF-8 is shown as U+FFFD, not refused.
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace pt2run
