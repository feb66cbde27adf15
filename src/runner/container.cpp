#include "runner/container.h"

#include <cstdlib>

#include "pt2run/error.h"
#include "shim/shim_guard.h"

namespace pt2run::detail {
namespace {

// Which error code fits a message the model produced about its inputs.
ErrorCode classify_model_message(const std::string& message) {
  if (message.find("unmatched dtype") != std::string::npos) return ErrorCode::DTypeMismatch;
  if (message.find("unmatched device") != std::string::npos) return ErrorCode::DeviceMismatch;
  if (message.find("dim value") != std::string::npos ||
      message.find("unmatched dim") != std::string::npos ||
      message.find("unmatched stride") != std::string::npos)
    return ErrorCode::ShapeMismatch;
  return ErrorCode::ModelFailure;
}

}  // namespace

void Container::check(AOTIRuntimeError rc, const std::string& what) const {
  if (rc == 0) return;
  std::string model_message;
  if (api.get_last_error) {
    const char* text = nullptr;
    if (api.get_last_error(&text) == 0 && text) model_message = text;
    while (!model_message.empty() && (model_message.back() == '\n' || model_message.back() == ' '))
      model_message.pop_back();
  }
  std::string message = what + " failed in model library '" + library_name + "'";
  if (!model_message.empty()) message += ": " + model_message;
  if (!shim::first_error().empty() && shim::first_error() != shim::last_error())
    message += " [pt2run shim: " + shim::first_error() + "; later: " + shim::last_error() + "]";
  else if (!shim::last_error().empty())
    message += " [pt2run shim: " + shim::last_error() + "]";
  ErrorCode code = classify_model_message(model_message);
  if (code != ErrorCode::ModelFailure) {
    // Name the input the model complained about ("input_handles[i]: ...").
    auto at = model_message.find("input_handles[");
    if (at != std::string::npos) {
      std::size_t index = std::strtoul(model_message.c_str() + at + 14, nullptr, 10);
      if (index < input_names.size())
        message += " (input " + std::to_string(index) + " is '" + input_names[index] + "')";
    }
  }
  throw Error(code, message);
}

}  // namespace pt2run::detail
