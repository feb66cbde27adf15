#pragma once

// SHA-256 of a package's bytes, for pinning: a service given a package's digest refuses any
// other file, whatever it holds (a .pt2 holds native code; loading one runs it).

#include <cstdint>
#include <string>
#include <string_view>

namespace pt2run::detail {

// Lower-case hex digest of `size` bytes of `fd` from `offset` (read with pread, 1 MiB at a
// time), or of `size` bytes at `data` when data is not null. Throws Error(Io).
std::string sha256_hex(int fd, uint64_t offset, uint64_t size, const void* data, const std::string& what);

// Throws Error(InvalidArgument) unless `digest` is 64 hex digits (any case); returns it in lower case.
std::string normalized_sha256(std::string_view digest);

// Throws Error(InvalidPackage) naming `what` unless `actual` is `expected` (validated first).
void check_sha256(const std::string& actual, std::string_view expected, const std::string& what);

}  // namespace pt2run::detail
