#pragma once

#include <map>
#include <string>
#include <vector>

#include "pt2run/inspect.h"
#include "pt2run/tensor.h"

namespace pt2run::cli {

// The model's flat inputs from a tensor file and NAME=FILE.npy pairs. A file whose arrays are
// named arr_0, arr_1, ... (numpy.savez(f, *arrays)) gives them in order; otherwise each array
// is matched to an input by name (its pytree path such as "x" or "args[0]", its graph name, or
// the last key of a dict input). Raw 16- and 8-bit arrays (uint16 / "<V2", how numpy stores
// bfloat16) are taken as the input's bfloat16/float16/float8 bits. Throws Error naming what
// is missing, unknown or extra.
std::vector<Tensor> load_inputs(const ModelInfo& model, const std::string& file,
                                const std::vector<std::string>& named_files);

// Random inputs with the recorded dtypes and sizes: floats ~ N(0, 1), integers and bools 0
// (an index of 0 is valid wherever indices go). Dynamic dimensions come from `shapes`
// (NAME -> full shape) or the smallest size the model accepts. Throws UsageError when a
// dimension has no size.
std::vector<Tensor> random_inputs(const ModelInfo& model,
                                  const std::map<std::string, std::vector<int64_t>>& shapes);

// "NAME=2x3x224x224" -> (NAME, {2, 3, 224, 224}); throws UsageError.
std::pair<std::string, std::vector<int64_t>> parse_shape_argument(const std::string& text);

// "[s77 (2..64), 16]"
std::string describe_dims(const TensorInfo& t);

}  // namespace pt2run::cli
