#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "pt2run/dtype.h"

namespace pt2run::detail {

// The storage record of a tensor saved with torch.save (the data.pkl of its zip): which
// entry holds the bytes (<archive>/data/<key>), their dtype and element count.
struct PickledStorage {
  std::string key;
  DType dtype = DType::Float32;
  uint64_t numel = 0;
};

// Reads the persistent-id record ('storage', torch.<Type>Storage, key, location, numel) from
// a pickle stream of protocol 2 to 5, without executing anything. Exactly one storage is
// expected (pickle_weights files hold one tensor each). Throws Error(InvalidPackage) naming
// `what` for a malformed stream, an opcode outside the subset torch.save writes, or a storage
// type pt2run does not know.
PickledStorage read_pickled_storage(std::string_view pickle, const std::string& what);

}  // namespace pt2run::detail
