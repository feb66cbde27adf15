// pt2run::OpArgs: typed access to the values of one proxy-executor call by argument name.

#include "core/check.h"
#include "ops/op_registry.h"
#include "pt2run/custom_ops.h"

namespace pt2run {
namespace {

using detail::OpValue;
using Kind = OpValue::Kind;

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::None: return "None";
    case Kind::Tensor: return "a tensor";
    case Kind::TensorList: return "a list of tensors";
    case Kind::Int: return "an int";
    case Kind::IntList: return "a list of ints";
    case Kind::Float: return "a float";
    case Kind::FloatList: return "a list of floats";
    case Kind::Bool: return "a bool";
    case Kind::BoolList: return "a list of bools";
    case Kind::String: return "a string";
  }
  return "?";
}

}  // namespace

namespace detail {

const OpValue& lookup(const OpCallData& data, std::string_view arg) {
  const auto& args = data.schema->arguments;
  for (std::size_t i = 0; i < args.size(); ++i)
    if (args[i].name == arg) return data.values[i];
  fail(ErrorCode::InvalidArgument, data.schema->qualified_name, " has no argument '", arg,
       "' (schema: ", data.schema->text, ")");
}

[[noreturn]] void wrong_kind(const OpCallData& data, std::string_view arg, const OpValue& v,
                             const char* wanted) {
  fail(ErrorCode::InvalidArgument, data.schema->qualified_name, ": argument '", arg, "' is ",
       kind_name(v.kind), ", not ", wanted);
}

}  // namespace detail

const std::string& OpArgs::op_name() const { return data_.schema->qualified_name; }

bool OpArgs::has(std::string_view arg) const {
  for (const auto& a : data_.schema->arguments)
    if (a.name == arg) return true;
  return false;
}

bool OpArgs::is_none(std::string_view arg) const {
  return detail::lookup(data_, arg).kind == Kind::None;
}

const Tensor& OpArgs::tensor(std::string_view arg) const {
  const OpValue& v = detail::lookup(data_, arg);
  if (v.kind != Kind::Tensor || !v.tensors[0]) detail::wrong_kind(data_, arg, v, "a tensor");
  return *v.tensors[0];
}

std::optional<Tensor> OpArgs::optional_tensor(std::string_view arg) const {
  if (is_none(arg)) return std::nullopt;
  return tensor(arg);
}

std::vector<std::optional<Tensor>> OpArgs::optional_tensor_list(std::string_view arg) const {
  const OpValue& v = detail::lookup(data_, arg);
  if (v.kind != Kind::TensorList) detail::wrong_kind(data_, arg, v, "a list of tensors");
  return v.tensors;
}

std::vector<Tensor> OpArgs::tensor_list(std::string_view arg) const {
  std::vector<Tensor> out;
  for (auto& t : optional_tensor_list(arg)) {
    PT2RUN_CHECK(t.has_value(), InvalidArgument, data_.schema->qualified_name, ": argument '",
                 arg, "' holds None entries; read it with optional_tensor_list");
    out.push_back(*t);
  }
  return out;
}

int64_t OpArgs::int_value(std::string_view arg) const {
  const OpValue& v = detail::lookup(data_, arg);
  if (v.kind == Kind::Bool) return v.bools[0] ? 1 : 0;
  if (v.kind != Kind::Int) detail::wrong_kind(data_, arg, v, "an int");
  return v.ints[0];
}

std::optional<int64_t> OpArgs::optional_int(std::string_view arg) const {
  if (is_none(arg)) return std::nullopt;
  return int_value(arg);
}

std::vector<int64_t> OpArgs::int_list(std::string_view arg) const {
  const OpValue& v = detail::lookup(data_, arg);
  if (v.kind == Kind::Int) return v.ints;  // int[1] dim=0 may arrive as one int
  if (v.kind != Kind::IntList) detail::wrong_kind(data_, arg, v, "a list of ints");
  return v.ints;
}

double OpArgs::float_value(std::string_view arg) const {
  const OpValue& v = detail::lookup(data_, arg);
  if (v.kind == Kind::Int) return static_cast<double>(v.ints[0]);
  if (v.kind == Kind::Bool) return v.bools[0] ? 1.0 : 0.0;
  if (v.kind != Kind::Float) detail::wrong_kind(data_, arg, v, "a float");
  return v.floats[0];
}

std::optional<double> OpArgs::optional_float(std::string_view arg) const {
  if (is_none(arg)) return std::nullopt;
  return float_value(arg);
}

std::vector<double> OpArgs::float_list(std::string_view arg) const {
  const OpValue& v = detail::lookup(data_, arg);
  if (v.kind == Kind::IntList) return {v.ints.begin(), v.ints.end()};
  if (v.kind != Kind::FloatList) detail::wrong_kind(data_, arg, v, "a list of floats");
  return v.floats;
}

bool OpArgs::bool_value(std::string_view arg) const {
  const OpValue& v = detail::lookup(data_, arg);
  if (v.kind == Kind::Int) return v.ints[0] != 0;
  if (v.kind != Kind::Bool) detail::wrong_kind(data_, arg, v, "a bool");
  return v.bools[0];
}

std::optional<bool> OpArgs::optional_bool(std::string_view arg) const {
  if (is_none(arg)) return std::nullopt;
  return bool_value(arg);
}

const std::string& OpArgs::string_value(std::string_view arg) const {
  const OpValue& v = detail::lookup(data_, arg);
  if (v.kind != Kind::String) detail::wrong_kind(data_, arg, v, "a string");
  return v.text;
}

std::optional<std::string> OpArgs::optional_string(std::string_view arg) const {
  if (is_none(arg)) return std::nullopt;
  return string_value(arg);
}

std::optional<DType> OpArgs::dtype(std::string_view arg) const {
  const OpValue& v = detail::lookup(data_, arg);
  if (v.kind == Kind::None) return std::nullopt;
  if (v.kind != Kind::Int) detail::wrong_kind(data_, arg, v, "a dtype");
  auto dtype = dtype_from_code(static_cast<int32_t>(v.ints[0]));
  PT2RUN_CHECK(dtype.has_value(), NotImplemented, data_.schema->qualified_name, ": argument '",
               arg, "' is a dtype pt2run does not know (ScalarType ", v.ints[0], ")");
  return dtype;
}

}  // namespace pt2run
