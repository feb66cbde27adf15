#include "ops/proxy_executor.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/check.h"
#include "core/host_staging.h"
#include "shim/shim_guard.h"

namespace pt2run::detail {
namespace {

using Json = nlohmann::json;
using Kind = OpValue::Kind;

// torch._export.serde.schema.ScalarType -> c10::ScalarType (our DType codes).
int64_t scalar_type_code(int64_t serialized) {
  static const int64_t kCodes[] = {
      -1,  // UNKNOWN
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 15,  // BYTE .. BFLOAT16
  };
  if (serialized >= 0 && serialized < static_cast<int64_t>(std::size(kCodes)))
    return kCodes[serialized];
  switch (serialized) {
    case 28: return 27;  // UINT16
    case 29: return 24;  // FLOAT8E4M3FN
    case 30: return 23;  // FLOAT8E5M2
    case 31: return 26;  // FLOAT8E4M3FNUZ
    case 32: return 25;  // FLOAT8E5M2FNUZ
    case 33: return 44;  // FLOAT8E8M0FNU
    case 34: return 28;  // UINT32
    case 35: return 29;  // UINT64
    default: return -1;
  }
}

}  // namespace

// How one schema argument is filled at call time.
struct ArgPlan {
  enum class Source { Static, Tensor, TensorList, Int, IntList };
  Source source = Source::Static;
  OpValue static_value;       // Source::Static
  std::vector<bool> present;  // TensorList: which entries are tensors (false: None)
  std::size_t count = 0;      // IntList: elements
};

struct ProxyExecutor::Node {
  std::string target;
  std::shared_ptr<const RegisteredOp> op;
  std::vector<ArgPlan> args;
  // Per schema return: output handles it fills (0 for None).
  std::vector<std::size_t> outputs;
  std::size_t num_results = 0;  // what the kernel returns
  std::size_t num_ints = 0;
  std::size_t num_tensors = 0;  // inputs and output handles
};

namespace {

class NodeReader {
 public:
  NodeReader(const std::string& where) : where_(where) {}

  [[noreturn]] void bad(const std::string& message) const {
    fail(ErrorCode::InvalidPackage, where_, ": ", message);
  }

  // A JSON Argument union ({"as_int": 3}) that is passed statically, as an OpValue.
  OpValue static_value(const Json& arg, const OpArgument& schema_arg) const {
    if (!arg.is_object() || arg.size() != 1) bad("argument '" + schema_arg.name + "' is not a one-key object");
    const std::string key = arg.begin().key();
    const Json& value = arg.begin().value();
    OpValue v;
    if (key == "as_none") return OpValue::none();
    if (key == "as_int" && value.is_number_integer()) return OpValue::of_int(value.get<int64_t>());
    if (key == "as_float" && value.is_number()) return OpValue::of_float(value.get<double>());
    if (key == "as_bool" && value.is_boolean()) return OpValue::of_bool(value.get<bool>());
    if (key == "as_string" && value.is_string()) {
      v.kind = Kind::String;
      v.text = value.get<std::string>();
      return v;
    }
    if (key == "as_scalar_type" && value.is_number_integer()) {
      int64_t code = scalar_type_code(value.get<int64_t>());
      if (code < 0) bad("argument '" + schema_arg.name + "' has an unknown scalar type");
      return OpValue::of_int(code);
    }
    if ((key == "as_layout" || key == "as_memory_format") && value.is_number_integer()) {
      return OpValue::of_int(value.get<int64_t>());  // torch.export's own enum numbering
    }
    if (key == "as_device" && value.is_object()) {
      v.kind = Kind::String;
      v.text = value.value("type", std::string("cpu"));
      if (value.contains("index") && value["index"].is_number_integer())
        v.text.append(":").append(std::to_string(value["index"].get<int64_t>()));
      return v;
    }
    if (key == "as_ints" || key == "as_floats" || key == "as_bools") {
      if (!value.is_array()) bad("argument '" + schema_arg.name + "' is not a list");
      for (const auto& item : value) {
        if (key == "as_ints" && item.is_number_integer()) v.ints.push_back(item.get<int64_t>());
        else if (key == "as_floats" && item.is_number()) v.floats.push_back(item.get<double>());
        else if (key == "as_bools" && item.is_boolean()) v.bools.push_back(item.get<bool>());
        else bad("argument '" + schema_arg.name + "' has a list element of the wrong type");
      }
      v.kind = key == "as_ints" ? Kind::IntList : key == "as_floats" ? Kind::FloatList : Kind::BoolList;
      return v;
    }
    fail(ErrorCode::UnsupportedPackage, where_, ": argument '", schema_arg.name, "' of type ",
         op_type_name(schema_arg.type), " is passed as '", key,
         "', which pt2run's proxy executor does not support");
  }

  // Mirrors the flattening in torch/_inductor/codegen/cpp_wrapper_cpu.py
  // (generate_extern_kernel_args_decl_if_needed): tensors and ints are dynamic, by schema type.
  ArgPlan plan(const Json* arg, const OpArgument& schema_arg, ProxyExecutor::Node& node) const {
    ArgPlan p;
    const OpArgType& type = schema_arg.type;
    if (arg == nullptr) {  // omitted: the schema default, flattened like a given value
      if (!schema_arg.default_value)
        bad("argument '" + schema_arg.name + "' of " + node.target +
            " is missing and has no default; the registered schema (" + node.op->schema.text +
            ") does not match the one the model was exported with");
      const OpValue& d = *schema_arg.default_value;
      bool int_like = type.base == OpType::Int || type.base == OpType::SymInt ||
                      (type.base == OpType::Scalar && (d.kind == Kind::Int || d.kind == Kind::IntList));
      if (int_like && d.kind == Kind::Int) {
        p.source = ArgPlan::Source::Int;
        node.num_ints += 1;
      } else if (int_like && d.kind == Kind::IntList) {
        p.source = ArgPlan::Source::IntList;
        p.count = d.ints.size();
        node.num_ints += p.count;
      } else {
        p.static_value = d;
      }
      return p;
    }
    if (!arg->is_object() || arg->size() != 1) bad("argument '" + schema_arg.name + "' is malformed");
    const std::string key = arg->begin().key();
    const Json& value = arg->begin().value();
    if (key == "as_none" || (key == "as_optional_tensor" && value.contains("as_none"))) {
      p.static_value = OpValue::none();
      return p;
    }
    if (type.base == OpType::Tensor && !type.list) {
      if (key != "as_tensor" && key != "as_optional_tensor")
        bad("argument '" + schema_arg.name + "' is a Tensor in the schema but '" + key + "' in the model");
      p.source = ArgPlan::Source::Tensor;
      node.num_tensors += 1;
      return p;
    }
    if (type.base == OpType::Tensor) {
      if (key == "as_tensors" && value.is_array()) {
        p.present.assign(value.size(), true);
      } else if (key == "as_optional_tensors" && value.is_array()) {
        for (const auto& item : value) p.present.push_back(!item.contains("as_none"));
      } else {
        bad("argument '" + schema_arg.name + "' is a Tensor list in the schema but '" + key + "' in the model");
      }
      p.source = ArgPlan::Source::TensorList;
      node.num_tensors += static_cast<std::size_t>(std::count(p.present.begin(), p.present.end(), true));
      return p;
    }
    bool int_type = type.base == OpType::Int || type.base == OpType::SymInt;
    bool scalar = type.base == OpType::Scalar;
    if (!type.list && (int_type || scalar) && (key == "as_int" || key == "as_sym_int")) {
      p.source = ArgPlan::Source::Int;
      node.num_ints += 1;
      return p;
    }
    if (type.list && (int_type || scalar) && (key == "as_ints" || key == "as_sym_ints") && value.is_array()) {
      p.source = ArgPlan::Source::IntList;
      p.count = value.size();
      node.num_ints += p.count;
      return p;
    }
    p.static_value = static_value(*arg, schema_arg);
    return p;
  }

 private:
  std::string where_;
};

std::vector<const Json*> node_list(const Json& json, const std::string& what) {
  PT2RUN_CHECK(json.is_object(), InvalidPackage, what, " is not a JSON object");
  std::vector<const Json*> nodes;
  if (!json.contains("nodes")) return nodes;
  PT2RUN_CHECK(json["nodes"].is_array(), InvalidPackage, what, ": 'nodes' is not a list");
  for (const auto& entry : json["nodes"]) {
    const Json* node = entry.is_object() && entry.contains("node") ? &entry["node"] : nullptr;
    PT2RUN_CHECK(node && node->is_object() && node->contains("target") &&
                     (*node)["target"].is_string(),
                 InvalidPackage, what, ": a node without a target");
    nodes.push_back(node);
  }
  return nodes;
}

Json parse_json(std::string_view text, const std::string& what) {
  auto json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  PT2RUN_CHECK(!json.is_discarded(), InvalidPackage, what, " is not valid JSON");
  return json;
}

}  // namespace

std::vector<std::string> ProxyExecutor::missing_ops(std::string_view text, const std::string& what) {
  Json json = parse_json(text, what);
  std::vector<std::string> missing;
  for (const Json* node : node_list(json, what)) {
    auto target = (*node)["target"].get<std::string>();
    if (!find_op(target) && std::find(missing.begin(), missing.end(), target) == missing.end())
      missing.push_back(target);
  }
  return missing;
}

ProxyExecutor::ProxyExecutor(std::string_view text, const std::string& what) : what_(what) {
  auto missing = missing_ops(text, what);
  if (!missing.empty()) {
    std::string list;
    for (const auto& op : missing) list += (list.empty() ? "" : ", ") + op;
    fail(ErrorCode::UnsupportedPackage, what, ": the model calls ", missing.size(),
         " op(s) through AOTInductor's proxy executor that pt2run does not implement: ", list,
         ". Register an implementation of each with pt2run::register_op (custom ops) before "
         "loading, or re-export without them");
  }
  Json json = parse_json(text, what);
  auto nodes = node_list(json, what);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Json& n = *nodes[i];
    auto node = std::make_unique<Node>();
    node->target = n["target"].get<std::string>();
    node->op = find_op(node->target);
    NodeReader reader(what + ", node " + std::to_string(i) + " (" + node->target + ")");
    const Json inputs = n.value("inputs", Json::array());
    if (!inputs.is_array()) reader.bad("'inputs' is not a list");
    const auto& schema = node->op->schema;
    for (const auto& input : inputs) {
      auto name = input.value("name", std::string());
      bool known = std::any_of(schema.arguments.begin(), schema.arguments.end(),
                               [&](const OpArgument& a) { return a.name == name; });
      if (!known)
        reader.bad("argument '" + name + "' is not in the registered schema (" + schema.text + ")");
    }
    for (const auto& schema_arg : schema.arguments) {
      const Json* arg = nullptr;
      for (const auto& input : inputs)
        if (input.value("name", std::string()) == schema_arg.name && input.contains("arg"))
          arg = &input["arg"];
      node->args.push_back(reader.plan(arg, schema_arg, *node));
    }
    const Json outputs = n.value("outputs", Json::array());
    if (!outputs.is_array() || outputs.size() != schema.returns.size())
      reader.bad("the model expects " + std::to_string(outputs.is_array() ? outputs.size() : 0) +
                 " result(s) but the schema returns " + std::to_string(schema.returns.size()));
    for (const auto& out : outputs) {
      if (!out.is_object() || out.size() != 1) reader.bad("an output is malformed");
      const std::string key = out.begin().key();
      const Json& value = out.begin().value();
      std::size_t handles = 0, results = 1;
      if (key == "as_tensor") handles = 1;
      else if (key == "as_optional_tensor") handles = value.contains("as_tensor") ? 1 : 0;
      else if (key == "as_tensors" && value.is_array()) handles = results = value.size();
      else if (key != "as_none") reader.bad("output kind '" + key + "' is not supported");
      node->outputs.push_back(handles);
      node->num_results += results;
      node->num_tensors += handles;
    }
    nodes_.push_back(std::move(node));
  }
}

ProxyExecutor::~ProxyExecutor() = default;

void ProxyExecutor::call(int node_index, int num_ints, const int64_t* ints, int num_tensors,
                         AtenTensorHandle* tensors) const {
  PT2RUN_CHECK(node_index >= 0 && static_cast<std::size_t>(node_index) < nodes_.size(),
               InvalidArgument, "proxy executor: the model calls node ", node_index, " but ",
               what_, " lists ", nodes_.size());
  const Node& node = *nodes_[static_cast<std::size_t>(node_index)];
  PT2RUN_CHECK(static_cast<std::size_t>(num_ints) == node.num_ints &&
                   static_cast<std::size_t>(num_tensors) == node.num_tensors,
               InvalidArgument, node.target, ": the model passes ", num_ints, " int(s) and ",
               num_tensors, " tensor(s), but the registered schema (", node.op->schema.text,
               ") takes ", node.num_ints, " and ", node.num_tensors,
               "; register the schema the model was exported with");
  OpCallData data;
  data.schema = &node.op->schema;
  data.values.reserve(node.args.size());
  std::size_t next_int = 0, next_tensor = 0;
  for (const ArgPlan& p : node.args) {
    OpValue v;
    switch (p.source) {
      case ArgPlan::Source::Static: v = p.static_value; break;
      case ArgPlan::Source::Tensor:
        v.kind = Kind::Tensor;
        v.tensors.emplace_back(shim::tensor(tensors[next_tensor++]));
        break;
      case ArgPlan::Source::TensorList:
        v.kind = Kind::TensorList;
        for (bool present : p.present) {
          if (present) v.tensors.emplace_back(shim::tensor(tensors[next_tensor++]));
          else v.tensors.emplace_back(std::nullopt);
        }
        break;
      case ArgPlan::Source::Int: v = OpValue::of_int(ints[next_int++]); break;
      case ArgPlan::Source::IntList:
        v.kind = Kind::IntList;
        v.ints.assign(ints + next_int, ints + next_int + p.count);
        next_int += p.count;
        break;
    }
    data.values.push_back(std::move(v));
  }
  // A host kernel given tensors on a device computes on host copies (core/host_staging.h); its
  // results go back there, and so does whatever it changed in place.
  // A device backend's own kernel for the op, if it has one for these tensors, takes them as
  // they are.
  std::optional<HostStaging> staging;
  const OpKernel* kernel = &node.op->kernel;
  if (node.op->host_only) {
    for (const OpValue& v : data.values)
      for (const std::optional<Tensor>& t : v.tensors)
        if (t && t->defined() && !t->device().is_cpu() && kernel == &node.op->kernel)
          if (const OpKernel* own = node.op->device_kernel(t->device().type)) kernel = own;
  }
  if (node.op->host_only && kernel == &node.op->kernel) {
    staging.emplace(node.target.c_str());
    for (const OpValue& v : data.values)
      for (const std::optional<Tensor>& t : v.tensors)
        if (t) staging->add(*t);
    staging->stage();
    for (OpValue& v : data.values)
      for (std::optional<Tensor>& t : v.tensors)
        if (t) t = staging->host(*t);
  }
  std::vector<Tensor> results = (*kernel)(OpArgs(data));
  if (staging) {
    staging->write_back();
    for (Tensor& t : results) t = staging->to_device(t);
  }
  PT2RUN_CHECK(results.size() == node.num_results, InvalidArgument, node.target, ": the kernel returned ",
               results.size(), " tensor(s) but the model expects ", node.num_results);
  std::size_t r = 0;
  for (std::size_t handles : node.outputs) {
    if (handles == 0) {
      ++r;
      continue;
    }
    for (std::size_t k = 0; k < handles; ++k, ++r) {
      Tensor& out = shim::tensor(tensors[next_tensor++]);
      const Tensor& result = results[r];
      PT2RUN_CHECK(result.defined(), InvalidArgument, node.target, ": the kernel returned an "
                   "undefined tensor for result ", r, ", which the model uses");
      if (!out.defined()) {
        out = result;  // a fresh output handle: hand over the result
      } else if (out.data_ptr() != result.data_ptr()) {
        // A mutated argument the model keeps using: write the result into it.
        PT2RUN_CHECK(std::equal(out.sizes().begin(), out.sizes().end(), result.sizes().begin(),
                                result.sizes().end()),
                     ShapeMismatch, node.target, ": result ", r, " is ", result.describe(),
                     " but the model's buffer is ", out.describe());
        out.copy_(result);
      }
    }
  }
}

}  // namespace pt2run::detail
