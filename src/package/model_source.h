#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pt2run::detail {

// Sizes and strides (in elements) a model's kernels read a constant with. The kernels are
// generated for exactly this layout: a constant laid out otherwise gives wrong numbers, not
// an error, unless the runner checks.
struct ConstantLayout {
  std::vector<int64_t> sizes;
  std::vector<int64_t> strides;
};

// One dimension of a model input or output: a fixed size, or a symbol (s0, s77...) that
// AOTInductor resolves at run time, with the range the model accepts when it checks one.
struct SourceDim {
  std::optional<int64_t> size;  // set for a static dimension
  std::string symbol;           // for a dynamic one ("" if the source names none)
  int64_t min = 0;
  std::optional<int64_t> max;
};

struct SourceTensor {
  std::string name;   // the graph's name (arg6_1, output0)
  std::string dtype;  // torch's name ("float32"); "" if the source does not say
  std::optional<std::vector<SourceDim>> dims;  // nullopt if the source does not say
  // The device type (c10 numbering: 0 cpu, 1 cuda) the generated input check expects; a CUDA
  // model may take some inputs on the host (a torch.cond predicate). nullopt if not recorded.
  std::optional<int32_t> device_type;
};

struct SourceConstant {
  std::string name, fqn, dtype;
  std::vector<int64_t> shape, stride;
  uint64_t data_size = 0;
  bool from_folded = false;
  bool has_layout = false;  // shape and stride both recorded
  std::string type;  // Parameter, Buffer, TensorConstant, FoldedConstant, Unknown
};

// What the generated host code a package carries (<hash>.wrapper.cpp) records about its model:
// the constants table, the inputs' checks (dtype, sizes, ranges of dynamic dims), where each
// output comes from, and the call specs. AOTInductor keeps no other record when the weights
// are outside the library, and none that can be read without loading the library. Parsing is
// best effort: what the source does not show stays empty; nothing throws.
struct ModelSource {
  std::vector<SourceConstant> constants;
  std::vector<SourceTensor> inputs;
  std::vector<SourceTensor> outputs;
  std::string in_spec, out_spec;

  // Constant name -> layout, for constants with a shape and stride.
  std::map<std::string, ConstantLayout> layouts() const;
};

ModelSource parse_model_source(std::string_view wrapper_source);

}  // namespace pt2run::detail
