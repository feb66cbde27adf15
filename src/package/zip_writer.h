#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace pt2run::detail {

// Writes a zip archive of stored (uncompressed) entries, as numpy.savez and torch's package
// writer do. Each entry's data starts on a 64-byte boundary so readers can map it in place;
// zip64 records are written where sizes, offsets or the entry count need them (or always,
// with force_zip64, for tests).
//
// Errors: throws Error(Io) when the stream fails. Not thread-safe.
class ZipWriter {
 public:
  explicit ZipWriter(std::ostream& out, bool force_zip64 = false);
  void add(const std::string& name, std::string_view data);
  // Writes the central directory; the writer is done after this.
  void finish();

 private:
  struct Written {
    std::string name;
    uint32_t crc;
    uint64_t size;
    uint64_t offset;
  };
  void put(std::string_view bytes);

  std::ostream& out_;
  bool force_zip64_;
  uint64_t position_ = 0;
  std::vector<Written> entries_;
};

}  // namespace pt2run::detail
