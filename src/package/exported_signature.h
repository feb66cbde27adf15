#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pt2run::detail {

// The names torch.export gave a model's tensor user inputs ("input_ids", "extra_bias"), in the
// order of the exported program's signature, which is the order the compiled model takes them.
// Read from the exported program a package can carry beside the compiled model
// (<root>models/<name>.json, as torch.export's package_pt2 writes it); AOTInductor's own files
// keep only graph names (arg6_1). Throws Error(InvalidPackage) naming `label` when the text is
// not a serialized exported program or a name is not printable text of at most 256 bytes.
std::vector<std::string> user_input_names(std::string_view exported_program_json, const std::string& label);

}  // namespace pt2run::detail
