#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pt2run/tensor.h"

namespace pt2run::detail {

// A value of an operator argument as the proxy executor passes it to a kernel.
struct OpValue {
  enum class Kind { None, Tensor, TensorList, Int, IntList, Float, FloatList, Bool, BoolList, String };
  Kind kind = Kind::None;
  // Tensor: one entry; TensorList: every entry (nullopt for None in Tensor?[]).
  std::vector<std::optional<Tensor>> tensors;
  std::vector<int64_t> ints;    // Int (one), IntList, and ScalarType / Layout / MemoryFormat codes
  std::vector<double> floats;   // Float (one), FloatList
  std::vector<bool> bools;      // Bool (one), BoolList
  std::string text;             // String, and enum-like defaults ("contiguous_format")

  static OpValue none() { return {}; }
  static OpValue of_int(int64_t v) { OpValue o; o.kind = Kind::Int; o.ints = {v}; return o; }
  static OpValue of_float(double v) { OpValue o; o.kind = Kind::Float; o.floats = {v}; return o; }
  static OpValue of_bool(bool v) { OpValue o; o.kind = Kind::Bool; o.bools = {v}; return o; }
};

// The types torch's schema language spells; every type may be optional (T?) or a list (T[],
// T[N]); Tensor?[] is a list of optional tensors.
enum class OpType {
  Tensor, Int, SymInt, Float, Bool, Str, Scalar, ScalarType, Layout, Device, MemoryFormat,
  Generator, Dimname, Other,
};

struct OpArgType {
  OpType base = OpType::Other;
  bool optional = false;       // T?
  bool list = false;           // T[] / T[N]
  bool element_optional = false;  // T?[]
  int fixed_size = -1;         // N of T[N], which lets a bare scalar default fill the list
};

struct OpArgument {
  std::string name;
  OpArgType type;
  bool kwarg_only = false;
  bool is_write = false;  // Tensor(a!): the op writes it
  std::optional<OpValue> default_value;
};

// A function schema in torch's syntax: "ns::name.overload(args) -> returns".
struct OpSchema {
  std::string name;      // "ns::name"
  std::string overload;  // "" for the default overload
  std::vector<OpArgument> arguments;
  std::vector<OpArgument> returns;
  std::string text;      // as given
  // "ns::name" or "ns::name.overload", as AOTInductor writes node targets.
  std::string qualified_name;
};

// Throws Error(InvalidArgument) naming the position of the first thing it cannot parse.
OpSchema parse_op_schema(std::string_view text);

std::string op_type_name(const OpArgType& type);

}  // namespace pt2run::detail
