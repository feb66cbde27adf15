#include "package/exported_signature.h"

#include <nlohmann/json.hpp>

#include "core/check.h"

namespace pt2run::detail {
namespace {

using nlohmann::json;

const json& member(const json& object, const char* key, const std::string& label, const char* where) {
  PT2RUN_CHECK(object.is_object() && object.contains(key), InvalidPackage, label,
               " is not a serialized exported program: ", where, " has no '", key, "'");
  return object.at(key);
}

bool plain_name(const std::string& name) {
  if (name.empty() || name.size() > 256) return false;
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f || c >= 0x80) return false;  // torch.export names are identifiers
  return true;
}

}  // namespace

std::vector<std::string> user_input_names(std::string_view exported_program_json, const std::string& label) {
  const json doc = json::parse(exported_program_json, nullptr, /*allow_exceptions=*/false);
  PT2RUN_CHECK(!doc.is_discarded(), InvalidPackage, label, " is not JSON");
  const json& signature = member(member(doc, "graph_module", label, "the document"), "signature", label, "graph_module");
  const json& specs = member(signature, "input_specs", label, "the signature");
  PT2RUN_CHECK(specs.is_array(), InvalidPackage, label, ": input_specs is not a list");
  std::vector<std::string> names;
  for (const json& spec : specs) {
    if (!spec.is_object() || !spec.contains("user_input")) continue;  // parameters, buffers, constants
    const json& arg = member(spec.at("user_input"), "arg", label, "a user_input");
    // Non-tensor user inputs (ints, floats) are specialized away: the compiled model takes
    // tensors only.
    if (!arg.is_object() || !arg.contains("as_tensor")) continue;
    const json& name = member(arg.at("as_tensor"), "name", label, "a tensor argument");
    PT2RUN_CHECK(name.is_string() && plain_name(name.get<std::string>()), InvalidPackage, label,
                 ": a user input's name is not a plain identifier of at most 256 bytes");
    names.push_back(name.get<std::string>());
  }
  return names;
}

}  // namespace pt2run::detail
