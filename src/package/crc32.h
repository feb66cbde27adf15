#pragma once

#include <cstddef>
#include <cstdint>

namespace pt2run::detail {

// The zip format's CRC-32 (zlib's crc32: polynomial 0xEDB88320, reflected, conditioned), continued
// from `crc` (0 to start). Same results as zlib's, at ~10x its speed on x86-64 CPUs with
// carry-less multiply, where every package's libraries and weights are checked at load.
uint32_t crc32_update(uint32_t crc, const void* data, std::size_t size);

}  // namespace pt2run::detail
