// The names a model's inputs go by: what the CLI's tensor files and the server's requests may
#include <algorithm>
// call them.

#include <string_view>

#include "pt2run/error.h"
#include "pt2run/inspect.h"

namespace pt2run {
namespace {

// The last ['key'] of a pytree path, or "".
std::string last_key(const std::string& path) {
  const auto close = path.rfind("']");
  if (close == std::string::npos || close + 2 != path.size()) return "";
  const auto open = path.rfind("['", close);
  return open == std::string::npos ? "" : path.substr(open + 2, close - open - 2);
}

// A dict input's last key names it only when no other input ends in the same key.
bool unique_last_key(const ModelInfo& info, std::size_t index, const std::string& key) {
  for (std::size_t i = 0; i < info.inputs.size(); ++i)
    if (i != index && last_key(info.inputs[i].name) == key) return false;
  return true;
}

// "arr_<k>" without leading zeros, for k < n; otherwise nullopt.
std::optional<std::size_t> positional_index(std::string_view name, std::size_t n) {
  if (name.size() < 5 || !name.starts_with("arr_") || (name[4] == '0' && name.size() > 5)) return std::nullopt;
  std::size_t k = 0;
  for (char c : name.substr(4)) {
    if (c < '0' || c > '9') return std::nullopt;
    k = k * 10 + static_cast<std::size_t>(c - '0');
    if (k >= n) return std::nullopt;
  }
  return k;
}

}  // namespace

std::vector<std::string> input_aliases(const ModelInfo& info, std::size_t index) {
  if (index >= info.inputs.size())
    throw Error(ErrorCode::InvalidArgument, "input " + std::to_string(index) + " does not exist: the model takes " +
                                                std::to_string(info.inputs.size()));
  const TensorInfo& t = info.inputs[index];
  std::vector<std::string> names;
  auto add = [&](const std::string& name) {
    if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  add(t.name);
  add(t.parameter_name);
  add(t.graph_name);
  if (const std::string key = last_key(t.name); !key.empty() && unique_last_key(info, index, key)) add(key);
  add("arr_" + std::to_string(index));
  return names;
}

std::optional<std::size_t> find_input(const ModelInfo& info, const std::string& name) {
  if (name.empty()) return std::nullopt;
  // Exact names first, so that a parameter literally called "arr_1" is that parameter.
  for (std::size_t i = 0; i < info.inputs.size(); ++i) {
    const TensorInfo& t = info.inputs[i];
    if (name == t.name || name == t.parameter_name || name == t.graph_name) return i;
  }
  for (std::size_t i = 0; i < info.inputs.size(); ++i)
    if (last_key(info.inputs[i].name) == name && unique_last_key(info, i, name)) return i;
  return positional_index(name, info.inputs.size());
}

}  // namespace pt2run
