#include "package/call_spec.h"

#include <nlohmann/json.hpp>

namespace pt2run::detail {
namespace {

using nlohmann::json;

// Keys of a dict node (its context is a JSON-encoded list), or nothing.
std::vector<std::string> dict_keys(const json& node) {
  std::vector<std::string> keys;
  if (!node.contains("context") || !node["context"].is_string()) return keys;
  json context = json::parse(node["context"].get<std::string>(), nullptr, false);
  if (!context.is_array()) return keys;
  for (const auto& k : context) keys.push_back(k.is_string() ? k.get<std::string>() : k.dump());
  return keys;
}

bool is_dict(const json& node) {
  return node.contains("type") && node["type"].is_string() &&
         node["type"].get<std::string>().find("dict") != std::string::npos;
}

// Depth-first leaves, with the path built so far.
void walk(const json& node, const std::string& path, std::vector<std::string>& out, int depth) {
  if (depth > 64 || !node.is_object()) return;
  const json children = node.value("children_spec", json::array());
  if (!node.contains("type") || node["type"].is_null() || children.empty()) {
    if (node.contains("type") && !node["type"].is_null() && children.empty()) return;  // empty container
    out.push_back(path);
    return;
  }
  const std::vector<std::string> keys = is_dict(node) ? dict_keys(node) : std::vector<std::string>{};
  for (std::size_t i = 0; i < children.size(); ++i) {
    // Appended piece by piece: GCC 12 misreads "literal" + std::string&& as an overlapping
    // copy at -O2 (-Wrestrict).
    std::string step;
    if (i < keys.size()) step.append("['").append(keys[i]).append("']");
    else step.append("[").append(std::to_string(i)).append("]");
    walk(children[i], path + step, out, depth + 1);
  }
}

const json* root_node(const json& spec) {
  if (spec.is_array() && spec.size() == 2 && spec[1].is_object()) return &spec[1];
  return nullptr;
}

}  // namespace

std::vector<std::string> input_paths(const std::string& in_spec) {
  std::vector<std::string> paths;
  json spec = json::parse(in_spec, nullptr, false);
  const json* root = root_node(spec);
  if (root == nullptr) return paths;
  const json children = root->value("children_spec", json::array());
  if (children.size() != 2) return paths;
  walk(children[0], "args", paths, 0);
  // Keyword arguments go by their own name.
  std::vector<std::string> kwargs;
  walk(children[1], "", kwargs, 0);
  for (auto& k : kwargs) {
    if (k.starts_with("['")) k = k.substr(2, k.find("']") - 2) + k.substr(k.find("']") + 2);
    paths.push_back(k);
  }
  return paths;
}

std::vector<std::string> output_paths(const std::string& out_spec) {
  std::vector<std::string> paths;
  json spec = json::parse(out_spec, nullptr, false);
  if (const json* root = root_node(spec)) walk(*root, "output", paths, 0);
  return paths;
}

}  // namespace pt2run::detail
