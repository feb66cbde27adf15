#include <algorithm>
#include "cli/inputs.h"

#include <filesystem>
#include <random>

#include "cli/commands.h"
#include "pt2run/error.h"
#include "pt2run/tensor_file.h"

namespace pt2run::cli {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// "args[0] (x, arg6_1, arr_0); ..." : every name each input goes by.
std::string describe_input_names(const ModelInfo& model) {
  std::string out;
  for (std::size_t i = 0; i < model.inputs.size(); ++i) {
    const auto aliases = input_aliases(model, i);
    out += (i ? "; " : "") + aliases[0];
    if (aliases.size() > 1)
      out += " (" + join(std::vector<std::string>(aliases.begin() + 1, aliases.end())) + ")";
  }
  return out;
}

// Takes raw bits stored as unsigned integers as the input's reduced-precision float.
Tensor adapt(Tensor t, const TensorInfo& input) {
  if (!input.dtype || t.dtype() == *input.dtype) return t;
  const DType want = *input.dtype;
  const bool raw16 = t.dtype() == DType::UInt16 && (want == DType::BFloat16 || want == DType::Float16);
  const bool raw8 = t.dtype() == DType::UInt8 && element_size(want) == 1 && is_floating_point(want);
  if (!raw16 && !raw8) return t;  // the model's own check reports the mismatch
  std::vector<int64_t> sizes(t.sizes().begin(), t.sizes().end()), strides(t.strides().begin(), t.strides().end());
  return Tensor(t.storage(), sizes, strides, t.storage_offset(), want);
}

}  // namespace

std::vector<Tensor> load_inputs(const ModelInfo& model, const std::string& file,
                                const std::vector<std::string>& named_files) {
  NamedTensors arrays;
  if (!file.empty()) arrays = read_tensors(file);
  if (!file.empty() && tensor_file_format(file) == TensorFileFormat::Npy && model.inputs.size() == 1)
    arrays[0].first = "arr_0";
  for (const auto& pair : named_files) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError{"--input takes NAME=FILE.npy, got '" + pair + "'", "the inputs are: " + describe_input_names(model)};
    const std::string path = pair.substr(eq + 1);
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error))
      throw UsageError{"--input " + pair + ": '" + path + "' is not a file", "check the path"};
    NamedTensors one = read_tensors(path);
    if (one.size() != 1)
      throw UsageError{"--input " + pair + " holds " + std::to_string(one.size()) + " arrays; give one",
                       "use --inputs for a file with several"};
    arrays.emplace_back(pair.substr(0, eq), std::move(one[0].second));
  }
  const std::size_t n = model.inputs.size();
  if (arrays.size() != n)
    throw Error(ErrorCode::InvalidArgument, "the model takes " + std::to_string(n) + " input(s) (" +
                                                describe_input_names(model) + ") but " +
                                                std::to_string(arrays.size()) + " array(s) were given");
  std::vector<Tensor> inputs(n);
  std::vector<std::string> unknown;
  for (auto& [name, tensor] : arrays) {
    const auto index = find_input(model, name);
    if (!index || inputs[*index].defined()) {
      unknown.push_back(name);
      continue;
    }
    inputs[*index] = adapt(tensor, model.inputs[*index]);
  }
  if (!unknown.empty())
    throw Error(ErrorCode::InvalidArgument, "array(s) " + join(unknown) +
                                                " match no input (or one given twice); the inputs are: " +
                                                describe_input_names(model));
  return inputs;
}

std::vector<Tensor> random_inputs(const ModelInfo& model,
                                  const std::map<std::string, std::vector<int64_t>>& shapes) {
  std::mt19937 rng(0);
  std::normal_distribution<float> normal(0.f, 1.f);
  std::map<std::size_t, std::vector<int64_t>> shape_of;  // by input index
  for (const auto& [name, sizes] : shapes) {
    const auto index = find_input(model, name);
    if (!index) throw UsageError{"--shape names '" + name + "', which is not an input of the model",
                                 "the inputs are: " + describe_input_names(model)};
    shape_of[*index] = sizes;
  }
  std::vector<Tensor> inputs;
  for (std::size_t index = 0; index < model.inputs.size(); ++index) {
    const TensorInfo& in = model.inputs[index];
    if (!in.dtype || !in.dims)
      throw UsageError{"the package does not record the dtype and shape of input '" + in.name + "'",
                       "pass real inputs with --inputs"};
    std::vector<int64_t> sizes;
    if (auto given = shape_of.find(index); given != shape_of.end()) {
      sizes = given->second;
      if (sizes.size() != in.dims->size())
        throw UsageError{"--shape " + in.name + " has " + std::to_string(sizes.size()) + " dims but the input has " +
                             std::to_string(in.dims->size()),
                         "the input is " + describe_dims(in)};
    } else {
      for (const auto& d : *in.dims) {
        if (d.size) sizes.push_back(*d.size);
        else if (d.min > 0) sizes.push_back(d.min);
        else
          throw UsageError{"input '" + in.name + "' has a dynamic dimension " + describe_dims(in),
                           "give its shape with --shape " + in.name + "=AxB..."};
      }
    }
    Tensor t = Tensor::zeros(sizes, *in.dtype);
    if (is_floating_point(*in.dtype)) {
      Tensor values = Tensor::empty(sizes, DType::Float32);
      for (int64_t i = 0; i < values.numel(); ++i) values.data<float>()[i] = normal(rng);
      t.copy_(values);
    }
    inputs.push_back(std::move(t));
  }
  return inputs;
}

std::pair<std::string, std::vector<int64_t>> parse_shape_argument(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    throw UsageError{"--shape takes NAME=AxBxC, got '" + text + "'", "for example --shape x=8x3x224x224"};
  std::vector<int64_t> sizes;
  std::string rest = text.substr(eq + 1);
  std::size_t pos = 0;
  while (pos <= rest.size()) {
    auto x = rest.find('x', pos);
    std::string item = rest.substr(pos, x == std::string::npos ? std::string::npos : x - pos);
    if (item.empty() || item.find_first_not_of("0123456789") != std::string::npos || item.size() > 12)
      throw UsageError{"--shape " + text + ": '" + item + "' is not a size", "for example --shape x=8x3x224x224"};
    sizes.push_back(std::stoll(item));
    if (x == std::string::npos) break;
    pos = x + 1;
  }
  return {text.substr(0, eq), sizes};
}

std::string describe_dims(const TensorInfo& t) {
  if (!t.dims) return "[?]";
  std::string out = "[";
  for (std::size_t i = 0; i < t.dims->size(); ++i) {
    const DimInfo& d = (*t.dims)[i];
    out += i ? ", " : "";
    if (d.size) {
      out += std::to_string(*d.size);
      continue;
    }
    out += d.symbol.empty() ? "?" : d.symbol;
    if (d.min > 0 || d.max)
      out += " (" + std::to_string(d.min) + ".." + (d.max ? std::to_string(*d.max) : "") + ")";
  }
  return out + "]";
}

}  // namespace pt2run::cli
