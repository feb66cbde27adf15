#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pt2run/dtype.h"
#include "pt2run/export.h"
#include "pt2run/tensor.h"

namespace pt2run {

namespace detail {
struct OpCallData;
}

// Operators without a C shim — custom ops (torch.library) and some ATen ops — are not compiled
// into the model library: AOTInductor calls them through its proxy executor with the values of
// their arguments, described by the node list it packages next to the library
// (<stem>.wrapper.json). pt2run implements the proxy executor; an operator runs if an
// implementation is registered under its qualified name. pt2run registers the ATen ops it
// supports; users register their own custom ops.
//
// The arguments of one call, looked up by the names of the operator's schema. Each accessor
// throws Error(InvalidArgument) naming the operator and the argument when the argument does
// not exist or holds another type. Arguments left out of the call have their schema default.
class PT2RUN_API OpArgs {
 public:
  explicit OpArgs(const detail::OpCallData& data) : data_(data) {}

  // "ns::op" or "ns::op.overload".
  const std::string& op_name() const;
  bool has(std::string_view arg) const;
  // True for None (an optional argument without a value).
  bool is_none(std::string_view arg) const;

  const Tensor& tensor(std::string_view arg) const;
  std::optional<Tensor> optional_tensor(std::string_view arg) const;
  std::vector<Tensor> tensor_list(std::string_view arg) const;
  // Tensor?[] (as index() takes): None entries are nullopt.
  std::vector<std::optional<Tensor>> optional_tensor_list(std::string_view arg) const;
  int64_t int_value(std::string_view arg) const;
  std::optional<int64_t> optional_int(std::string_view arg) const;
  std::vector<int64_t> int_list(std::string_view arg) const;
  // float, or an int / bool passed as a Scalar, converted.
  double float_value(std::string_view arg) const;
  std::optional<double> optional_float(std::string_view arg) const;
  std::vector<double> float_list(std::string_view arg) const;
  bool bool_value(std::string_view arg) const;
  std::optional<bool> optional_bool(std::string_view arg) const;
  const std::string& string_value(std::string_view arg) const;
  std::optional<std::string> optional_string(std::string_view arg) const;
  // ScalarType arguments (dtype=...).
  std::optional<DType> dtype(std::string_view arg) const;

 private:
  const detail::OpCallData& data_;
};

// Computes an operator's results from its arguments: one tensor per Tensor return, every
// element of a Tensor[] return in order (their number must match what the model expects), none
// for "-> ()". A result may alias an argument. Throw pt2run::Error (or any std::exception) to
// fail the model's run; the message reaches the caller of run(). A kernel may be called from
// several threads at once (concurrent runs, num_models > 1): keep it free of unguarded state.
using OpKernel = std::function<std::vector<Tensor>(const OpArgs& args)>;

// Registers `kernel` for the operator declared by `schema`, in torch's schema syntax — what
// `print(torch.ops.mylib.my_op.default._schema)` shows, e.g.
//   "mylib::my_op(Tensor x, int n=2, *, float scale=1.0) -> Tensor".
// The schema tells pt2run how AOTInductor flattened the arguments, so it must be the one the
// model was exported with. Packages calling the operator load only after it is registered.
//
// Thread safety: may be called at any time from any thread; a runner resolves its operators
// when it is created, so register before loading the packages that need them.
// Errors: Error(InvalidArgument) for a schema pt2run cannot parse (the message points at the
// position) or an operator that is already registered (pass replace = true to override).
PT2RUN_API void register_op(std::string_view schema, OpKernel kernel, bool replace = false);

// Removes the registration (runners already loaded keep the kernel they resolved). Returns false
// if nothing was registered under the name.
PT2RUN_API bool unregister_op(std::string_view qualified_name);

// True if an implementation is registered for the qualified name ("ns::op" or
// "ns::op.overload").
PT2RUN_API bool is_op_registered(std::string_view qualified_name);

// Every registered operator's schema, sorted by name.
PT2RUN_API std::vector<std::string> registered_op_schemas();

}  // namespace pt2run
