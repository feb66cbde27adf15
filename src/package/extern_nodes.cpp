#include "package/extern_nodes.h"

#include <nlohmann/json.hpp>

#include "core/check.h"

namespace pt2run::detail {

std::vector<std::string> extern_node_targets(std::string_view text, const std::string& what) {
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  PT2RUN_CHECK(json.is_object(), InvalidPackage, what, " is not a JSON object");
  std::vector<std::string> targets;
  if (!json.contains("nodes")) return targets;
  PT2RUN_CHECK(json["nodes"].is_array(), InvalidPackage, what, ": 'nodes' is not a list");
  for (const auto& entry : json["nodes"]) {
    const auto* node = entry.is_object() && entry.contains("node") ? &entry["node"] : nullptr;
    PT2RUN_CHECK(node && node->is_object() && node->contains("target") && (*node)["target"].is_string(),
                 InvalidPackage, what, ": a node without a target");
    targets.push_back((*node)["target"].get<std::string>());
  }
  return targets;
}

}  // namespace pt2run::detail
