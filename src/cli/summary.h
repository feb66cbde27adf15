#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "pt2run/tensor.h"

namespace pt2run::cli {

// Shape, dtype, min, max, mean and the count of NaN / Inf values of an output.
struct TensorSummary {
  std::string dtype;
  std::vector<int64_t> shape;
  double min = 0, max = 0, mean = 0;
  int64_t nan = 0, inf = 0;
  bool has_values = false;  // false for empty, complex or undefined tensors
};

TensorSummary summarize(const Tensor& t);
std::string format_summary(const std::string& label, const Tensor& t, const TensorSummary& s);
nlohmann::json to_json(const TensorSummary& s);

}  // namespace pt2run::cli
