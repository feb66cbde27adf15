#pragma once

#include <cstddef>
#include <cstdint>

namespace pt2run::detail {

// The zip format's CRC-32 (zlib's crc32: polynomial 0xEDB88320, reflected, conditioned), continued
// from `crc` (0 to start). Same results as zlib's, at ~4x its speed on x86-64 CPUs with
// carry-less multiply (6.7 against 1.7 GB/s on one Xeon core): every package's library and
// weights are checked at load.
uint32_t crc32_update(uint32_t crc, const void* data, std::size_t size);

}  // namespace pt2run::detail
