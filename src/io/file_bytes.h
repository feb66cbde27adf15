#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "core/mapped_file.h"

namespace pt2run::io {

// A file's bytes, memory-mapped (read without a copy). Throws Error(NotFound | Io).
class FileBytes {
 public:
  static FileBytes read(const std::string& path) {
    FileBytes f;
    f.map_ = detail::MappedFile::open(path, "file");
    return f;
  }
  std::span<const std::byte> bytes() const {
    return {reinterpret_cast<const std::byte*>(map_.data()), static_cast<std::size_t>(map_.size())};
  }

 private:
  detail::MappedFile map_;
};

// Writes `data` to `path`, replacing it. Throws Error(Io) naming the path.
void write_file(const std::string& path, std::string_view data);

}  // namespace pt2run::io
