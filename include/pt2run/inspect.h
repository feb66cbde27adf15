#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pt2run/device.h"
#include "pt2run/dtype.h"
#include "pt2run/export.h"

namespace pt2run {

// What a .pt2 says about one of its models, read without loading the model library (so it
// works for packages that cannot run here, and runs no model code). Built from the package's
// metadata, the library's ELF imports and the generated host code the package carries.

// One dimension: a fixed size, or a dynamic one (its AOTInductor symbol and accepted range).
struct DimInfo {
  std::optional<int64_t> size;
  std::string symbol;  // "s77"; "" if unnamed
  int64_t min = 0;
  std::optional<int64_t> max;
  bool is_dynamic() const { return !size.has_value(); }
};

struct TensorInfo {
  std::string name;  // the pytree path of the exported call: "x", "args[0]", "args[0]['a']"
  std::string graph_name;  // AOTInductor's name ("arg6_1", "output0")
  // Inputs: the name torch.export gave it from the forward's own parameters ("input_ids";
  // "extra_bias" for extra["bias"]), when the package carries its exported program (see
  // docs/models.md); "" otherwise.
  std::string parameter_name;
  std::optional<DType> dtype;  // nullopt when the package does not record it
  std::optional<std::vector<DimInfo>> dims;  // nullopt when the package does not record them
  // The device type the model takes an input on, when its generated checks record it: a CUDA
  // model can take some inputs on the host (a torch.cond predicate, a Triton grid size).
  std::optional<DeviceType> device_type;
};

struct ConstantSummary {
  std::string name;
  std::string fqn;
  std::optional<DType> dtype;
  std::vector<int64_t> shape;
  uint64_t bytes = 0;  // what the model reserves for it
  bool from_folded = false;
  std::string type;  // Parameter, Buffer, TensorConstant, FoldedConstant
};

struct ImportInfo {
  std::string symbol;
  bool supported = false;  // pt2run provides it
};

struct ModelInfo {
  std::string package;
  std::string model;
  std::vector<std::string> models_in_package;
  std::map<std::string, std::string> metadata;  // AOTI_DEVICE_KEY, AOTI_CPU_ISA, ...
  std::vector<TensorInfo> inputs;
  std::vector<TensorInfo> outputs;
  // The call's pytree specs as torch.export recorded them (what get_call_spec() returns): how
  // the call's arguments flatten into the inputs and the outputs nest. Empty when the package's
  // generated source does not carry them.
  std::string in_spec, out_spec;
  std::vector<ConstantSummary> constants;
  uint64_t constants_bytes = 0;
  // Where the weights are: "library", "blob", "pickle_weights", "appended", or "none" (the
  // package ships no weights: supply them with load_constants).
  std::string weights;
  std::vector<ImportInfo> imports;  // the aoti_*/Sleef_* functions the library calls
  // Ops the model runs through AOTInductor's proxy executor (custom ops, ATen ops without a
  // C shim), with whether pt2run can run them.
  std::vector<ImportInfo> proxy_ops;
  std::vector<std::string> needed_libraries;
  // The most threads the model's CPU kernels can run with: the exporting machine's thread
  // count, where its kernels size per-thread arrays by it. Runs never use more. nullopt when
  // the kernels have no such bound, or (max_threads_known false) the package carries no kernel
  // source to read it from.
  std::optional<int> max_threads;
  bool max_threads_known = false;
  // Whether pt2run can run this model on this host, and if not every reason why.
  bool runs_here = false;
  std::vector<std::string> reasons;
  // What inspect noticed that does not keep the model from running (an exported program whose
  // input names could not be used, say).
  std::vector<std::string> notes;
};

// Throws Error(NotFound | InvalidPackage) when the package or the model cannot be read;
// anything that only keeps the model from running here goes to `reasons`.
PT2RUN_API ModelInfo inspect_model(const std::string& package_path,
                                   const std::string& model_name = "model");

// The ModelInfo as JSON (what `pt2run inspect --json` prints), with this host's default thread
// count and CPU kernels; `indent` as nlohmann::json::dump (-1: one line). Bytes in package
// names that are not UTF-8 become U+FFFD.
PT2RUN_API std::string model_info_json(const ModelInfo& info, int indent = 2);

// Every name input `index` can be given by, its pytree path first: the forward's parameter
// name, the graph name, a dict input's last key (when no other input shares it) and
// "arr_<index>" (numpy.savez's positional name). Throws Error(InvalidArgument) for an index out
// of range.
PT2RUN_API std::vector<std::string> input_aliases(const ModelInfo& info, std::size_t index);

// The input that `name` (any of input_aliases) means; nullopt when none does.
PT2RUN_API std::optional<std::size_t> find_input(const ModelInfo& info, const std::string& name);

// Where a caller should put input `index` of a model that runs on `model_device`: there,
// unless the model declares that input on another device type (TensorInfo::device_type).
PT2RUN_API Device input_device(const ModelInfo& info, std::size_t index, Device model_device);

}  // namespace pt2run
