#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pt2run::detail {

struct ZipEntry {
  std::string name;
  uint16_t method = 0;  // 0 stored, 8 deflated
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t size = 0;
  uint64_t local_header_offset = 0;
  // Offset of the entry's bytes in the archive file; valid after open() validated the
  // local header.
  uint64_t data_offset = 0;
};

// The CRC-32 (zip's) of `size` bytes, on several cores for large ranges.
uint32_t crc32_of(const void* data, uint64_t size);

// A read-only view of a zip archive (the .pt2 container): stored and deflated entries,
// zip64, CRC-checked reads. Everything read from the file is bounds-checked; a damaged
// archive gives Error(InvalidPackage) naming the file and the problem.
//
// Thread safety: const methods may be called concurrently (reads use pread).
class ZipArchive {
 public:
  // Throws Error(NotFound) if the file cannot be opened, Error(InvalidPackage) if it is not
  // a well-formed zip archive.
  // With `expect_sha256` (64 hex digits), a file with another SHA-256 is refused
  // (Error(InvalidPackage)) before anything in it is parsed.
  static std::unique_ptr<ZipArchive> open(const std::string& path, const std::string& expect_sha256 = "");
  // SHA-256 (lower-case hex) of any regular file. Throws Error(NotFound | Io | InvalidPackage).
  static std::string file_sha256(const std::string& path);
  // The archive held in `size` bytes of `fd` from `base` (a zip stored inside another, or a
  // package copied into memory). Takes ownership of fd; `label` names it in messages.
  // `kind` as for open_memory.
  static std::unique_ptr<ZipArchive> open_fd(int fd, uint64_t base, uint64_t size, std::string label,
                                             std::string kind = "");
  // An archive in memory the caller keeps alive and unchanged while this object lives
  // (fd() is -1).
  // `kind` names what the archive is in messages ("package" unless given: ".npz file").
  static std::unique_ptr<ZipArchive> open_memory(const void* data, uint64_t size, std::string label,
                                                 std::string kind = "");
  ~ZipArchive();
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  const std::string& path() const { return path_; }
  int fd() const { return fd_; }
  uint64_t file_size() const { return file_size_; }
  // Where an entry's (stored) bytes sit in fd(): for mapping them without a copy.
  uint64_t fd_offset(const ZipEntry& entry) const { return base_ + entry.data_offset; }
  const std::vector<ZipEntry>& entries() const { return entries_; }
  // nullptr if absent.
  const ZipEntry* find(std::string_view name) const;

  // SHA-256 (lower-case hex) of the archive's bytes as read.
  std::string sha256() const;
  // The whole entry, decompressed and CRC-checked. For metadata-sized entries.
  std::string read(const ZipEntry& entry) const;
  // Checks a stored entry's bytes, mapped by the caller from fd_offset(entry), against the
  // CRC the archive records; throws Error(InvalidPackage) if they differ. Every entry pt2run
  // uses is checked: read() and copy_to_fd() check as they go, mapped entries here.
  void check_crc(const ZipEntry& entry, const void* data) const;
  // Streams the decompressed, CRC-checked entry into fd (at its current position).
  void copy_to_fd(const ZipEntry& entry, int out_fd) const;

 private:
  ZipArchive(std::string path, int fd, uint64_t base, uint64_t size);
  void read_central_directory();
  void pread_exact(void* buf, uint64_t size, uint64_t offset, const char* what) const;
  template <class Sink>
  void stream_entry(const ZipEntry& entry, Sink&& sink) const;

  std::string path_;
  int fd_ = -1;
  std::string kind_ = "package";
  std::string expected_ = ".pt2 package";
  const unsigned char* memory_ = nullptr;
  uint64_t base_ = 0;
  uint64_t file_size_ = 0;
  std::vector<ZipEntry> entries_;
};

}  // namespace pt2run::detail
