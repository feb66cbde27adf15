#include "runner/input_checks.h"

#include <algorithm>
#include <span>
#include <utility>
#include <vector>

#include "core/check.h"
#include "pt2run/dtype.h"

namespace pt2run::detail {
namespace {

std::string shape_text(std::span<const int64_t> sizes) {
  std::string out = "[";
  for (std::size_t i = 0; i < sizes.size(); ++i) out += (i ? ", " : "") + std::to_string(sizes[i]);
  return out + "]";
}

std::string dims_text(const std::vector<SourceDim>& dims) {
  std::string out = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    const SourceDim& d = dims[i];
    out += i ? ", " : "";
    out += d.size ? std::to_string(*d.size) : (d.symbol.empty() ? std::string("?") : d.symbol);
  }
  return out + "]";
}

}  // namespace

void check_inputs_against(const std::vector<Tensor>& inputs, const std::vector<std::string>& names,
                          const std::vector<SourceTensor>& specs) {
  // Every run comes through here: nothing is allocated unless a check fails (the messages are
  // built only then) or the model has dynamic sizes to match across inputs.
  std::vector<std::pair<const std::string*, std::pair<int64_t, std::size_t>>> symbols;  // symbol -> (size, input)
  for (std::size_t i = 0; i < inputs.size() && i < specs.size(); ++i) {
    const Tensor& t = inputs[i];
    const SourceTensor& spec = specs[i];
    const auto label = [&] { return "input " + std::to_string(i) + " ('" + names[i] + "')"; };
    if (!spec.dtype.empty()) {
      const auto dtype = dtype_from_name(spec.dtype);
      PT2RUN_CHECK(!dtype || *dtype == t.dtype(), DTypeMismatch, label(), " has dtype ", dtype_name(t.dtype()),
                   " but the model takes ", spec.dtype, " (unmatched dtype): convert it (in torch, .to(torch.",
                   spec.dtype, "))");
    }
    if (!spec.dims) continue;
    const auto& dims = *spec.dims;
    const std::span<const int64_t> sizes = t.sizes();
    PT2RUN_CHECK(sizes.size() == dims.size(), ShapeMismatch, label(), " has ", sizes.size(), " dimension(s) ",
                 shape_text(sizes), " but the model takes ", dims.size(), " ", dims_text(dims));
    for (std::size_t d = 0; d < dims.size(); ++d) {
      const SourceDim& dim = dims[d];
      const int64_t size = sizes[d];
      if (dim.size) {
        PT2RUN_CHECK(size == *dim.size, ShapeMismatch, label(), " has shape ", shape_text(sizes), ": dimension ", d,
                     " must be ", *dim.size, " (the model takes ", dims_text(dims), ")");
        continue;
      }
      const auto range = [&] {
        return std::to_string(dim.min) + ".." + (dim.max ? std::to_string(*dim.max) : "any");
      };
      // Worded as the model's own runtime asserts are ("Expected ... but received ..."), which
      // is what a caller of torch's loader sees for a size the model cannot take.
      PT2RUN_CHECK(size >= dim.min, ShapeMismatch, label(), " has shape ", shape_text(sizes), ": dimension ", d,
                   " is too small for the model. Expected ", range(), " but received ", size);
      PT2RUN_CHECK(!dim.max || size <= *dim.max, ShapeMismatch, label(), " has shape ", shape_text(sizes),
                   ": dimension ", d, " is too large for the model. Expected ", range(), " but received ", size);
      if (dim.symbol.empty()) continue;
      auto seen = std::find_if(symbols.begin(), symbols.end(), [&](const auto& s) { return *s.first == dim.symbol; });
      if (seen == symbols.end()) {
        symbols.push_back({&dim.symbol, {size, i}});
        continue;
      }
      const auto [first_size, first_input] = seen->second;
      PT2RUN_CHECK(first_size == size, ShapeMismatch, label(), " has shape ", shape_text(sizes), ": dimension ", d,
                   " is ", size, " but must equal the size ", first_size, " of input ", first_input, " ('",
                   names[first_input], "'): the model traced them as one size (", dim.symbol, ")");
    }
  }
}

}  // namespace pt2run::detail
