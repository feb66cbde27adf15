#include "ops/op_schema.h"

#include <cctype>
#include <cstdlib>

#include "core/check.h"

namespace pt2run::detail {
namespace {

OpType base_type(std::string_view word) {
  static const std::pair<std::string_view, OpType> kTypes[] = {
      {"Tensor", OpType::Tensor},         {"int", OpType::Int},
      {"SymInt", OpType::SymInt},         {"float", OpType::Float},
      {"bool", OpType::Bool},             {"str", OpType::Str},
      {"Scalar", OpType::Scalar},         {"ScalarType", OpType::ScalarType},
      {"Layout", OpType::Layout},         {"Device", OpType::Device},
      {"MemoryFormat", OpType::MemoryFormat}, {"Generator", OpType::Generator},
      {"Dimname", OpType::Dimname},
  };
  for (const auto& [name, type] : kTypes)
    if (name == word) return type;
  return OpType::Other;
}

// A recursive-descent reader over one schema string; every error names the offset.
class SchemaParser {
 public:
  explicit SchemaParser(std::string_view text) : text_(text) {}

  OpSchema parse() {
    OpSchema schema;
    schema.text = std::string(text_);
    std::string ns = identifier("a namespace");
    expect("::");
    schema.name = ns + "::" + identifier("an operator name");
    if (accept(".")) schema.overload = identifier("an overload name");
    schema.qualified_name = schema.overload.empty() ? schema.name : schema.name + "." + schema.overload;
    expect("(");
    bool kwarg_only = false;
    if (!accept(")")) {
      do {
        if (accept("*")) {
          kwarg_only = true;
          continue;
        }
        OpArgument arg = argument(/*in_returns=*/false);
        arg.kwarg_only = kwarg_only;
        schema.arguments.push_back(std::move(arg));
      } while (accept(","));
      expect(")");
    }
    expect("->");
    if (accept("(")) {
      if (!accept(")")) {
        do schema.returns.push_back(argument(/*in_returns=*/true));
        while (accept(","));
        expect(")");
      }
    } else {
      schema.returns.push_back(argument(/*in_returns=*/true));
    }
    skip_space();
    if (pos_ != text_.size()) error("unexpected text after the returns");
    return schema;
  }

 private:
  [[noreturn]] void error(const std::string& what) {
    fail(ErrorCode::InvalidArgument, "cannot parse operator schema '", text_, "' at offset ", pos_,
         ": ", what, " (expected torch's syntax, e.g. \"ns::op(Tensor x, int n=2) -> Tensor\")");
  }
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool accept(std::string_view token) {
    skip_space();
    if (text_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }
  void expect(std::string_view token) {
    if (!accept(token)) error("expected '" + std::string(token) + "'");
  }
  bool peek_identifier() {
    skip_space();
    return pos_ < text_.size() &&
           (std::isalpha(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_');
  }
  std::string identifier(const char* what) {
    if (!peek_identifier()) error(std::string("expected ") + what);
    std::size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_'))
      ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  OpArgument argument(bool in_returns) {
    OpArgument arg;
    std::string base = identifier("a type");
    arg.type.base = base_type(base);
    if (accept("(")) {  // alias annotation: (a), (a!), (a -> *)
      std::size_t close = text_.find(')', pos_);
      if (close == std::string_view::npos) error("unterminated alias annotation");
      arg.is_write = text_.substr(pos_, close - pos_).find('!') != std::string_view::npos;
      pos_ = close + 1;
    }
    if (accept("?")) arg.type.optional = true;
    if (accept("[")) {
      arg.type.list = true;
      arg.type.element_optional = arg.type.optional;
      arg.type.optional = false;
      skip_space();
      if (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        arg.type.fixed_size = static_cast<int>(std::strtol(text_.data() + pos_, nullptr, 10));
        while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      }
      expect("]");
      if (accept("?")) arg.type.optional = true;
    }
    if (peek_identifier()) arg.name = identifier("a name");
    else if (!in_returns) error("expected an argument name");
    if (!in_returns && accept("=")) arg.default_value = default_value(arg.type);
    return arg;
  }

  OpValue number() {
    skip_space();
    const char* begin = text_.data() + pos_;
    std::size_t end = pos_;
    while (end < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[end])) ||
                                  text_[end] == '.' || text_[end] == '-' || text_[end] == '+'))
      ++end;
    std::string token(begin, end - pos_);
    pos_ = end;
    bool is_float = token.find_first_of(".eEn") != std::string::npos;  // 1.0, 1e-05, inf, nan
    char* stop = nullptr;
    if (is_float) {
      double v = std::strtod(token.c_str(), &stop);
      if (*stop != '\0') error("bad number '" + token + "'");
      return OpValue::of_float(v);
    }
    long long v = std::strtoll(token.c_str(), &stop, 10);
    if (token.empty() || *stop != '\0') error("bad number '" + token + "'");
    return OpValue::of_int(v);
  }

  OpValue scalar_default() {
    skip_space();
    if (pos_ >= text_.size()) error("expected a default value");
    char c = text_[pos_];
    if (c == '"' || c == '\'') {
      std::size_t close = text_.find(c, pos_ + 1);
      if (close == std::string_view::npos) error("unterminated string");
      OpValue v;
      v.kind = OpValue::Kind::String;
      v.text = std::string(text_.substr(pos_ + 1, close - pos_ - 1));
      pos_ = close + 1;
      return v;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.') return number();
    std::string word = identifier("a default value");
    if (word == "None") return OpValue::none();
    if (word == "True" || word == "False") return OpValue::of_bool(word == "True");
    if (word == "inf" || word == "nan") {
      pos_ -= word.size();
      return number();
    }
    OpValue v;  // an enum spelled by name: contiguous_format, long, Mean, ...
    v.kind = OpValue::Kind::String;
    v.text = word;
    return v;
  }

  OpValue default_value(const OpArgType& type) {
    if (!type.list) return scalar_default();
    if (!accept("[")) {
      OpValue one = scalar_default();  // int[2] stride=1 means [1, 1]; None stays None
      if (one.kind == OpValue::Kind::None) return one;
      OpValue list = one;
      int n = type.fixed_size > 0 ? type.fixed_size : 1;
      list.kind = one.kind == OpValue::Kind::Int     ? OpValue::Kind::IntList
                  : one.kind == OpValue::Kind::Float ? OpValue::Kind::FloatList
                                                     : OpValue::Kind::BoolList;
      list.ints.assign(one.ints.empty() ? 0 : n, one.ints.empty() ? 0 : one.ints[0]);
      list.floats.assign(one.floats.empty() ? 0 : n, one.floats.empty() ? 0.0 : one.floats[0]);
      list.bools.assign(one.bools.empty() ? 0 : n, one.bools.empty() ? false : one.bools[0]);
      return list;
    }
    OpValue list;
    bool is_float = type.base == OpType::Float;
    bool is_bool = type.base == OpType::Bool;
    list.kind = is_float ? OpValue::Kind::FloatList
                : is_bool ? OpValue::Kind::BoolList
                : type.base == OpType::Tensor ? OpValue::Kind::TensorList
                                              : OpValue::Kind::IntList;
    if (accept("]")) return list;
    do {
      OpValue item = scalar_default();
      if (item.kind == OpValue::Kind::Int) {
        if (is_float) list.floats.push_back(static_cast<double>(item.ints[0]));
        else list.ints.push_back(item.ints[0]);
      } else if (item.kind == OpValue::Kind::Float) {
        list.floats.push_back(item.floats[0]);
      } else if (item.kind == OpValue::Kind::Bool) {
        list.bools.push_back(item.bools[0]);
      } else {
        error("unsupported list default element");
      }
    } while (accept(","));
    expect("]");
    return list;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

OpSchema parse_op_schema(std::string_view text) { return SchemaParser(text).parse(); }

std::string op_type_name(const OpArgType& type) {
  static const char* kNames[] = {"Tensor", "int",    "SymInt",       "float",     "bool",
                                 "str",    "Scalar", "ScalarType",   "Layout",    "Device",
                                 "MemoryFormat", "Generator", "Dimname", "(other)"};
  std::string name = kNames[static_cast<int>(type.base)];
  if (type.element_optional) name += "?";
  if (type.list) name += "[]";
  if (type.optional) name += "?";
  return name;
}

}  // namespace pt2run::detail
