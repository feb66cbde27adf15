#include "cli/summary.h"

#include <cmath>
#include <cstdio>

namespace pt2run::cli {

TensorSummary summarize(const Tensor& t) {
  TensorSummary s;
  if (!t.defined()) return s;
  s.dtype = std::string(dtype_name(t.dtype()));
  s.shape.assign(t.sizes().begin(), t.sizes().end());
  if (is_complex(t.dtype()) || t.numel() == 0) return s;
  Tensor v = t.to(DType::Float64);
  const double* p = v.data<double>();
  double lo = INFINITY, hi = -INFINITY, sum = 0;
  int64_t finite = 0;
  for (int64_t i = 0; i < v.numel(); ++i) {
    if (std::isnan(p[i])) {
      ++s.nan;
    } else if (std::isinf(p[i])) {
      ++s.inf;
    } else {
      lo = std::min(lo, p[i]);
      hi = std::max(hi, p[i]);
      sum += p[i];
      ++finite;
    }
  }
  s.has_values = finite > 0;
  if (s.has_values) {
    s.min = lo;
    s.max = hi;
    s.mean = sum / static_cast<double>(finite);
  }
  return s;
}

std::string format_summary(const std::string& label, const Tensor& t, const TensorSummary& s) {
  if (!t.defined()) return label + ": None";
  std::string shape;
  for (std::size_t i = 0; i < s.shape.size(); ++i) shape += (i ? ", " : "") + std::to_string(s.shape[i]);
  std::string out = label + ": " + s.dtype + "[" + shape + "]";
  if (s.has_values) {
    char buf[160];
    std::snprintf(buf, sizeof(buf), "  min %.6g  max %.6g  mean %.6g", s.min, s.max, s.mean);
    out += buf;
  }
  if (s.nan || s.inf)
    out += "  (" + std::to_string(s.nan) + " NaN, " + std::to_string(s.inf) + " Inf)";
  return out;
}

nlohmann::json to_json(const TensorSummary& s) {
  nlohmann::json j = {{"dtype", s.dtype}, {"shape", s.shape}, {"nan", s.nan}, {"inf", s.inf}};
  if (s.has_values) {
    j["min"] = s.min;
    j["max"] = s.max;
    j["mean"] = s.mean;
  }
  return j;
}

}  // namespace pt2run::cli
