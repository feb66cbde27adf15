// Checks, warnings and debug printing called from generated code.

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "shim/shim_guard.h"

using pt2run::DType;
using pt2run::Tensor;
using pt2run::shim::guard;
using pt2run::shim::tensor;

namespace {

std::string where(const char* func, const char* file, uint32_t line) {
  return std::string(func ? func : "?") + " at " + (file ? file : "?") + ":" + std::to_string(line);
}

// Visits each element of a floating tensor as double.
template <class Fn>
void for_each_value(const Tensor& t, Fn&& fn) {
  Tensor values = t.to(DType::Float64);
  const double* p = values.data<double>();
  for (int64_t i = 0; i < values.numel(); ++i) fn(p[i]);
}

}  // namespace

void aoti_torch_check(bool cond, const char* func, const char* file, uint32_t line,
                      const char* msg) {
  if (cond) return;
  // Deliberately throws: generated code (AOTI_TORCH_CHECK) expects a failed check not to
  // return, and the model's C interface catches std::exception.
  throw std::runtime_error(std::string(msg ? msg : "check failed") + " (" +
                           where(func, file, line) + ")");
}

void aoti_torch_warn(const char* func, const char* file, uint32_t line, const char* msg) {
  std::fprintf(stderr, "pt2run: warning from model: %s (%s)\n", msg ? msg : "",
               where(func, file, line).c_str());
}

AOTITorchError aoti_torch_check_inf_and_nan(const char* name, AtenTensorHandle handle) {
  return guard(__func__, [&] {
    const Tensor& t = tensor(handle);
    if (!pt2run::is_floating_point(t.dtype())) return;
    bool bad = false;
    for_each_value(t, [&](double v) { bad = bad || !std::isfinite(v); });
    PT2RUN_CHECK(!bad, InvalidArgument, "tensor '", name ? name : "?", "' contains NaN or Inf");
  });
}

void aoti_torch_print_tensor_handle(AtenTensorHandle handle, const char* msg) {
  try {
    const Tensor& t = tensor(handle);
    std::string text = std::string(msg ? msg : "") + " " + t.describe();
    if (t.defined() && t.numel() <= 1000 && t.dtype() != DType::Float4_e2m1fn_x2 &&
        !pt2run::is_complex(t.dtype())) {
      text += " = [";
      int64_t i = 0;
      for_each_value(t, [&](double v) { text += (i++ ? ", " : "") + std::to_string(v); });
      text += "]";
    }
    std::fprintf(stderr, "%s\n", text.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pt2run: cannot print tensor: %s\n", e.what());
  }
}
