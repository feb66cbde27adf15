#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace pt2run::detail {

// A private, copy-on-write memory mapping of (part of) a file: reading costs no copy, and
// writes (a model mutating a buffer) stay in this process. Unmapped on destruction.
class MappedFile {
 public:
  // The whole file at `path`; `what` names it in errors. Throws Error(NotFound | Io).
  static MappedFile open(const std::string& path, const std::string& what);
  // `size` bytes of `fd` from `offset` (any alignment). Throws Error(Io).
  static MappedFile map(int fd, uint64_t offset, uint64_t size, const std::string& what);

  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }

 private:
  void* base_ = nullptr;  // page-aligned start of the mapping
  std::size_t length_ = 0;
  uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
};

// An anonymous in-memory file (memfd) labelled `name` (shown in /proc/<pid>/maps and in
// messages). Throws Error(Io).
int make_memfd(const std::string& name);

}  // namespace pt2run::detail
