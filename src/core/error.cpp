#include "pt2run/error.h"

namespace pt2run {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument: return "InvalidArgument";
    case ErrorCode::ShapeMismatch: return "ShapeMismatch";
    case ErrorCode::DTypeMismatch: return "DTypeMismatch";
    case ErrorCode::DeviceMismatch: return "DeviceMismatch";
    case ErrorCode::NotFound: return "NotFound";
    case ErrorCode::InvalidState: return "InvalidState";
    case ErrorCode::OutOfMemory: return "OutOfMemory";
    case ErrorCode::Io: return "Io";
    case ErrorCode::Timeout: return "Timeout";
    case ErrorCode::InvalidPackage: return "InvalidPackage";
    case ErrorCode::UnsupportedPackage: return "UnsupportedPackage";
    case ErrorCode::MissingSymbol: return "MissingSymbol";
    case ErrorCode::ModelFailure: return "ModelFailure";
    case ErrorCode::NotImplemented: return "NotImplemented";
    case ErrorCode::Internal: return "Internal";
  }
  return "Unknown";
}

Error::Error(ErrorCode code, const std::string& message)
    : std::runtime_error("pt2run: " + message), code_(code), message_(message) {}

}  // namespace pt2run
