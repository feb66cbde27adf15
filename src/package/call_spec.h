#pragma once

#include <string>
#include <vector>

namespace pt2run::detail {

// Names for the flat inputs or outputs of a model, from the pytree spec torch.export recorded
// (AOTInductor's in_spec / out_spec JSON). Inputs: the call's (args, kwargs) becomes
// "args[0]", "args[1]['a']", or a keyword's own name ("mask"); outputs: "output",
// "output[0]", "output['logits']". Empty if the spec cannot be read (names then fall back to
// the graph's).
std::vector<std::string> input_paths(const std::string& in_spec);
std::vector<std::string> output_paths(const std::string& out_spec);

}  // namespace pt2run::detail
