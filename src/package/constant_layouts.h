#pragma once

#include <cstdint>
#include <map>
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

// Constant name -> layout, from the constants_info_ table in the generated wrapper source a
// package carries (<hash>.wrapper.cpp): the only record of the layouts when the weights are
// not in the library. Entries without a name, shape and stride are skipped; an empty map if
// the source has no table.
std::map<std::string, ConstantLayout> parse_constant_layouts(std::string_view wrapper_source);

}  // namespace pt2run::detail
