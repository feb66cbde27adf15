#pragma once

// The runner's own checks of run() inputs against what the package's generated code records
// (dtype, rank, static sizes, ranges of dynamic sizes, sizes that share a symbol). The model's
// checks can be switched off (AOTI_RUNTIME_CHECK_INPUTS=0) and read garbage or crash when an
// input is wrong; these cannot.

#include <string>
#include <vector>

#include "package/model_source.h"
#include "pt2run/tensor.h"

namespace pt2run::detail {

// Throws Error(DTypeMismatch | ShapeMismatch) naming the input, what it is and what the model
// takes. `specs` and `names` are in input order, one per input.
void check_inputs_against(const std::vector<Tensor>& inputs, const std::vector<std::string>& names,
                          const std::vector<SourceTensor>& specs);

}  // namespace pt2run::detail
