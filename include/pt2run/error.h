#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "pt2run/export.h"

namespace pt2run {

// Stable numbers: they may appear in logs, exit codes and (later) HTTP bodies.
enum class ErrorCode : int32_t {
  InvalidArgument = 0x10,   // a bad value passed by the caller
  ShapeMismatch = 0x11,     // a tensor of the wrong shape
  DTypeMismatch = 0x12,     // a tensor of the wrong dtype
  DeviceMismatch = 0x13,    // a tensor on the wrong device
  NotFound = 0x14,          // a file, model or constant that does not exist
  InvalidState = 0x15,      // the call needs a state the runner is not in (weights not loaded)
  OutOfMemory = 0x20,
  Io = 0x21,                // reading or writing a file failed
  Timeout = 0x22,           // the work did not start or finish within the time allowed
  InvalidPackage = 0x30,    // the .pt2 or the model library is malformed
  UnsupportedPackage = 0x31,  // well formed, but cannot run here (ISA, platform, device)
  MissingSymbol = 0x32,     // the model needs aoti_torch_* functions pt2run lacks
  ModelFailure = 0x33,      // the model library reported an error while running
  NotImplemented = 0x40,    // a valid request pt2run does not support (yet)
  Internal = 0x70,
};

PT2RUN_API std::string_view error_code_name(ErrorCode code);

// The one exception type the pt2run C++ API throws. what() is "pt2run: <message>".
class PT2RUN_API Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message);
  ErrorCode code() const noexcept { return code_; }
  // The message without the "pt2run: " prefix.
  const std::string& message() const noexcept { return message_; }

 private:
  ErrorCode code_;
  std::string message_;
};

}  // namespace pt2run
