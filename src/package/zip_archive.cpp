#include "package/zip_archive.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <thread>
#include <unordered_set>
#include <utility>

#include "core/check.h"
#include "core/mapped_file.h"
#include "core/text.h"
#include "package/crc32.h"
#include "package/sha256.h"

namespace pt2run::detail {
namespace {

constexpr uint32_t kEndOfCentralDirSig = 0x06054b50;
constexpr uint32_t kZip64EndOfCentralDirSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr uint32_t kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint64_t kEocdSize = 22;
constexpr uint64_t kMaxComment = 0xFFFF;
constexpr std::size_t kChunk = 1 << 20;

uint16_t u16(const unsigned char* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t u32(const unsigned char* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}
uint64_t u64(const unsigned char* p) { return uint64_t{u32(p)} | (uint64_t{u32(p + 4)} << 32); }

}  // namespace

ZipArchive::ZipArchive(std::string path, int fd, uint64_t base, uint64_t size)
    : path_(std::move(path)), fd_(fd), base_(base), file_size_(size) {}

ZipArchive::~ZipArchive() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {

// The package file opened for reading, and its size. Throws Error(NotFound | Io | InvalidPackage).
std::pair<int, uint64_t> open_regular_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    fail(err == ENOENT ? ErrorCode::NotFound : ErrorCode::Io, "cannot open package '", path,
         "': ", std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    fail(ErrorCode::InvalidPackage, "'", path, "' is not a regular file");
  }
  return {fd, static_cast<uint64_t>(st.st_size)};
}

}  // namespace

std::unique_ptr<ZipArchive> ZipArchive::open(const std::string& path, const std::string& expect_sha256) {
  if (!expect_sha256.empty()) normalized_sha256(expect_sha256);  // a malformed pin: the caller's error
  auto [fd, size] = open_regular_file(path);
  std::unique_ptr<ZipArchive> archive(new ZipArchive(path, fd, 0, size));  // owns fd from here
  // The digest is of the open file the archive is then read from: replacing the file
  // meanwhile changes nothing.
  if (!expect_sha256.empty()) check_sha256(archive->sha256(), expect_sha256, "package '" + path + "'");
  archive->read_central_directory();
  return archive;
}

std::string ZipArchive::file_sha256(const std::string& path) {
  auto [fd, size] = open_regular_file(path);
  ZipArchive file(path, fd, 0, size);  // closes fd
  return file.sha256();
}

std::unique_ptr<ZipArchive> ZipArchive::open_memory(const void* data, uint64_t size,
                                                    std::string label, std::string kind) {
  PT2RUN_CHECK(data != nullptr || size == 0, InvalidArgument, "null buffer for '", label, "'");
  std::unique_ptr<ZipArchive> archive(new ZipArchive(std::move(label), -1, 0, size));
  archive->memory_ = static_cast<const unsigned char*>(data);
  if (!kind.empty()) {
    archive->expected_ = kind;
    archive->kind_ = std::move(kind);
  }
  archive->read_central_directory();
  return archive;
}

std::unique_ptr<ZipArchive> ZipArchive::open_fd(int fd, uint64_t base, uint64_t size,
                                                std::string label, std::string kind) {
  std::unique_ptr<ZipArchive> archive(new ZipArchive(std::move(label), fd, base, size));
  if (!kind.empty()) {
    archive->expected_ = kind;
    archive->kind_ = std::move(kind);
  }
  archive->read_central_directory();
  return archive;
}

void ZipArchive::pread_exact(void* buf, uint64_t size, uint64_t offset, const char* what) const {
  PT2RUN_CHECK(offset <= file_size_ && size <= file_size_ - offset, InvalidPackage, "package '",
               path_, "' is truncated or corrupt: ", what, " lies past the end of the file");
  auto* out = static_cast<char*>(buf);
  if (memory_ != nullptr) {
    if (size > 0) std::memcpy(out, memory_ + offset, size);
    return;
  }
  while (size > 0) {
    ssize_t n = ::pread(fd_, out, size, static_cast<off_t>(base_ + offset));
    if (n < 0 && errno == EINTR) continue;
    PT2RUN_CHECK(n > 0, Io, "reading '", path_, "' failed: ", n < 0 ? std::strerror(errno) : "unexpected end of file");
    out += n;
    offset += static_cast<uint64_t>(n);
    size -= static_cast<uint64_t>(n);
  }
}

void ZipArchive::read_central_directory() {
  PT2RUN_CHECK(file_size_ >= kEocdSize, InvalidPackage, "'", path_,
               "' is not a ", expected_, ": too small to be a zip archive (", file_size_, " bytes)");
  // The end-of-central-directory record sits in the last 22 + up to 64 KiB (comment) bytes.
  uint64_t tail_size = std::min(file_size_, kEocdSize + kMaxComment);
  std::vector<unsigned char> tail(tail_size);
  pread_exact(tail.data(), tail_size, file_size_ - tail_size, "the end record");
  int64_t eocd = -1;
  for (int64_t i = static_cast<int64_t>(tail_size - kEocdSize); i >= 0; --i) {
    if (u32(&tail[static_cast<std::size_t>(i)]) == kEndOfCentralDirSig) {
      eocd = i;
      break;
    }
  }
  PT2RUN_CHECK(eocd >= 0, InvalidPackage, "'", path_,
               "' is not a ", expected_, ": no zip end-of-central-directory record (not a zip "
               "file, or truncated)");
  const unsigned char* e = &tail[static_cast<std::size_t>(eocd)];
  uint64_t eocd_offset = file_size_ - tail_size + static_cast<uint64_t>(eocd);
  uint64_t count = u16(e + 10);
  uint64_t cd_size = u32(e + 12);
  uint64_t cd_offset = u32(e + 16);
  // A zip64 locator right before the end record: its record must be there and agree with the
  // end record (writers such as torch's add one even when the values fit in 32 bits).
  bool has_locator = false;
  if (eocd_offset >= 20) {
    unsigned char signature[4];
    pread_exact(signature, 4, eocd_offset - 20, "the zip64 locator");
    has_locator = u32(signature) == kZip64LocatorSig;
  }
  if (has_locator || count == 0xFFFF || cd_size == 0xFFFFFFFF || cd_offset == 0xFFFFFFFF) {
    PT2RUN_CHECK(eocd_offset >= 20, InvalidPackage, kind_, " '", path_,
                 "' is corrupt: zip64 locator missing");
    unsigned char locator[20];
    pread_exact(locator, 20, eocd_offset - 20, "the zip64 locator");
    PT2RUN_CHECK(u32(locator) == kZip64LocatorSig, InvalidPackage, kind_, " '", path_,
                 "' is corrupt: zip64 locator missing");
    uint64_t zip64_eocd = u64(locator + 8);
    unsigned char record[56];
    pread_exact(record, 56, zip64_eocd, "the zip64 end record");
    PT2RUN_CHECK(u32(record) == kZip64EndOfCentralDirSig, InvalidPackage, kind_, " '", path_,
                 "' is corrupt: bad zip64 end record");
    const uint64_t count64 = u64(record + 32), size64 = u64(record + 40), offset64 = u64(record + 48);
    PT2RUN_CHECK((count == 0xFFFF || count == count64) && (cd_size == 0xFFFFFFFF || cd_size == size64) &&
                     (cd_offset == 0xFFFFFFFF || cd_offset == offset64),
                 InvalidPackage, kind_, " '", path_,
                 "' is corrupt: its zip64 end record and its end record disagree on the central directory");
    count = count64;
    cd_size = size64;
    cd_offset = offset64;
  }
  PT2RUN_CHECK(cd_offset <= file_size_ && cd_size <= file_size_ - cd_offset, InvalidPackage,
               kind_, " '", path_, "' is truncated or corrupt: the central directory (",
               cd_size, " bytes at ", cd_offset, ") lies past the end of the file (", file_size_,
               " bytes)");
  // Each central header is at least 46 bytes, which bounds count before we reserve.
  PT2RUN_CHECK(count <= cd_size / 46, InvalidPackage, kind_, " '", path_,
               "' is corrupt: ", count, " entries cannot fit in a ", cd_size,
               "-byte central directory");
  std::vector<unsigned char> cd(cd_size);
  pread_exact(cd.data(), cd_size, cd_offset, "the central directory");
  entries_.reserve(count);
  std::unordered_set<std::string> names;
  std::size_t pos = 0;
  for (uint64_t i = 0; i < count; ++i) {
    PT2RUN_CHECK(pos + 46 <= cd.size() && u32(&cd[pos]) == kCentralHeaderSig, InvalidPackage,
                 kind_, " '", path_, "' is corrupt: bad central directory header ", i);
    const unsigned char* h = &cd[pos];
    ZipEntry entry;
    entry.method = u16(h + 10);
    entry.crc32 = u32(h + 16);
    entry.compressed_size = u32(h + 20);
    entry.size = u32(h + 24);
    uint16_t name_len = u16(h + 28);
    uint16_t extra_len = u16(h + 30);
    uint16_t comment_len = u16(h + 32);
    entry.local_header_offset = u32(h + 42);
    std::size_t var_len = std::size_t{name_len} + extra_len + comment_len;
    PT2RUN_CHECK(pos + 46 + var_len <= cd.size(), InvalidPackage, kind_, " '", path_,
                 "' is corrupt: central directory entry ", i, " overruns the directory");
    entry.name.assign(reinterpret_cast<const char*>(h + 46), name_len);
    // zip64 extra field: present values replace the 0xFFFFFFFF placeholders, in order.
    const unsigned char* extra = h + 46 + name_len;
    for (std::size_t x = 0; x + 4 <= extra_len;) {
      uint16_t id = u16(extra + x);
      uint16_t len = u16(extra + x + 2);
      PT2RUN_CHECK(x + 4 + len <= extra_len, InvalidPackage, kind_, " '", path_,
                   "' is corrupt: bad extra field in '", entry.name, "'");
      if (id == 0x0001) {
        const unsigned char* f = extra + x + 4;
        std::size_t left = len;
        auto take = [&](uint64_t& field) {
          if (field != 0xFFFFFFFF) return;
          PT2RUN_CHECK(left >= 8, InvalidPackage, kind_, " '", path_,
                       "' is corrupt: short zip64 field in '", entry.name, "'");
          field = u64(f);
          f += 8;
          left -= 8;
        };
        take(entry.size);
        take(entry.compressed_size);
        take(entry.local_header_offset);
      }
      x += 4 + std::size_t{len};
    }
    pos += 46 + var_len;
    PT2RUN_CHECK(entry.method == 0 || entry.method == 8, InvalidPackage, kind_, " '", path_,
                 "': entry '", entry.name, "' uses zip compression method ", entry.method,
                 "; only stored (0) and deflated (8) entries are supported");
    unsigned char local[30];
    pread_exact(local, 30, entry.local_header_offset, "a local file header");
    PT2RUN_CHECK(u32(local) == kLocalHeaderSig, InvalidPackage, kind_, " '", path_,
                 "' is corrupt: bad local header for '", entry.name, "'");
    entry.data_offset = entry.local_header_offset + 30 + u16(local + 26) + u16(local + 28);
    PT2RUN_CHECK(entry.data_offset <= file_size_ &&
                     entry.compressed_size <= file_size_ - entry.data_offset,
                 InvalidPackage, kind_, " '", path_, "' is truncated: entry '", entry.name,
                 "' (", entry.compressed_size, " bytes at offset ", entry.data_offset,
                 ") lies past the end of the file (", file_size_, " bytes)");
    // Nothing is extracted by its full name, but a name that climbs out of its folder or is
    // absolute is a crafted archive (zip-slip), not an exporter's.
    const std::string_view n = entry.name;
    const bool escapes = n.empty() || n.front() == '/' || n.find('\\') != std::string_view::npos ||
                         n.find('\0') != std::string_view::npos || n == ".." || n.starts_with("../") ||
                         n.ends_with("/..") || n.find("/../") != std::string_view::npos;
    PT2RUN_CHECK(!escapes, InvalidPackage, kind_, " '", path_, "' is corrupt: entry name '", printable(entry.name),
                 "' is empty, absolute or climbs out of its folder ('..', '\\')");
    // Two entries of one name: which one a reader takes is arbitrary, so neither is trusted.
    PT2RUN_CHECK(names.insert(entry.name).second, InvalidPackage, kind_, " '", path_,
                 "' is corrupt: it holds two entries named '", printable(entry.name),
                 "'. Export the package again");
    entries_.push_back(std::move(entry));
  }
}

const ZipEntry* ZipArchive::find(std::string_view name) const {
  for (const auto& entry : entries_)
    if (entry.name == name) return &entry;
  return nullptr;
}

template <class Sink>
void ZipArchive::stream_entry(const ZipEntry& entry, Sink&& sink) const {
  std::vector<unsigned char> in(std::min<uint64_t>(kChunk, std::max<uint64_t>(entry.compressed_size, 1)));
  uint32_t crc = 0;
  uint64_t produced = 0;
  auto emit = [&](const unsigned char* data, std::size_t n) {
    produced += n;
    PT2RUN_CHECK(produced <= entry.size, InvalidPackage, kind_, " '", path_, "' is corrupt: '",
                 entry.name, "' inflates past its recorded size");
    crc = crc32_update(crc, data, n);
    sink(data, n);
  };
  if (entry.method == 0) {
    PT2RUN_CHECK(entry.size == entry.compressed_size, InvalidPackage, kind_, " '", path_,
                 "' is corrupt: stored entry '", entry.name, "' has mismatched sizes");
    for (uint64_t done = 0; done < entry.size;) {
      std::size_t n = static_cast<std::size_t>(std::min<uint64_t>(in.size(), entry.size - done));
      pread_exact(in.data(), n, entry.data_offset + done, "entry data");
      emit(in.data(), n);
      done += n;
    }
  } else {
    z_stream zs{};
    PT2RUN_CHECK(inflateInit2(&zs, -MAX_WBITS) == Z_OK, Internal, "zlib inflateInit failed");
    std::vector<unsigned char> out(kChunk);
    uint64_t consumed = 0;
    int status = Z_OK;
    try {
      while (status != Z_STREAM_END) {
        // zlib may hold output back when the last call filled the output buffer: with the
        // input all read it still has to be called again, until it ends the stream or can make
        // no progress (Z_BUF_ERROR: the input really ends early).
        if (zs.avail_in == 0 && consumed < entry.compressed_size) {
          std::size_t n = static_cast<std::size_t>(
              std::min<uint64_t>(in.size(), entry.compressed_size - consumed));
          pread_exact(in.data(), n, entry.data_offset + consumed, "entry data");
          consumed += n;
          zs.next_in = in.data();
          zs.avail_in = static_cast<uInt>(n);
        }
        zs.next_out = out.data();
        zs.avail_out = static_cast<uInt>(out.size());
        status = inflate(&zs, Z_NO_FLUSH);
        PT2RUN_CHECK(status != Z_BUF_ERROR, InvalidPackage, kind_, " '", path_,
                     "' is corrupt: deflated entry '", entry.name, "' ends early");
        PT2RUN_CHECK(status == Z_OK || status == Z_STREAM_END, InvalidPackage, kind_, " '",
                     path_, "' is corrupt: cannot inflate '", entry.name, "' (zlib error ",
                     status, ")");
        emit(out.data(), out.size() - zs.avail_out);
      }
    } catch (...) {
      inflateEnd(&zs);
      throw;
    }
    inflateEnd(&zs);
  }
  PT2RUN_CHECK(produced == entry.size, InvalidPackage, kind_, " '", path_, "' is corrupt: '",
               entry.name, "' has ", produced, " bytes, expected ", entry.size);
  PT2RUN_CHECK(crc == entry.crc32, InvalidPackage, kind_, " '", path_, "' is corrupt: CRC of '",
               entry.name, "' does not match (damaged download?)");
}

uint32_t crc32_of(const void* data, uint64_t size) {
  // crc32_update runs at several GB/s on one core; weights run to gigabytes, so large ranges
  // are still split across the cores and the parts' CRCs combined.
  constexpr uint64_t kPart = uint64_t{32} << 20;
  const auto* bytes = static_cast<const unsigned char*>(data);
  auto crc_range = [bytes](uint64_t begin, uint64_t end) {
    return crc32_update(0, bytes + begin, static_cast<std::size_t>(end - begin));
  };
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const uint64_t parts = std::min<uint64_t>(cores, std::max<uint64_t>(1, size / kPart));
  if (parts <= 1) return static_cast<uint32_t>(crc_range(0, size));
  std::vector<uint32_t> crcs(parts);
  std::vector<uint64_t> bounds(parts + 1);
  for (uint64_t p = 0; p <= parts; ++p) bounds[p] = size / parts * p;
  bounds[parts] = size;
  std::vector<std::thread> workers;
  try {
    for (uint64_t p = 1; p < parts; ++p)
      workers.emplace_back([&, p] { crcs[p] = crc_range(bounds[p], bounds[p + 1]); });
  } catch (const std::system_error&) {
    // No threads to be had: the rest is done here.
  }
  crcs[0] = crc_range(bounds[0], bounds[1]);
  for (auto& w : workers) w.join();
  for (uint64_t p = workers.size() + 1; p < parts; ++p) crcs[p] = crc_range(bounds[p], bounds[p + 1]);
  uLong crc = crcs[0];
  for (uint64_t p = 1; p < parts; ++p)
    crc = ::crc32_combine(crc, crcs[p], static_cast<z_off_t>(bounds[p + 1] - bounds[p]));
  return static_cast<uint32_t>(crc);
}

void ZipArchive::check_crc(const ZipEntry& entry, const void* data) const {
  PT2RUN_CHECK(entry.method == 0, Internal, "check_crc is for stored entries");
  PT2RUN_CHECK(crc32_of(data, entry.size) == entry.crc32, InvalidPackage, kind_, " '", path_,
               "' is corrupt: CRC of '", printable(entry.name), "' does not match (damaged download?)");
}

std::string ZipArchive::sha256() const { return sha256_hex(fd_, base_, file_size_, memory_, "'" + path_ + "'"); }

std::string ZipArchive::read(const ZipEntry& entry) const {
  std::string data;
  data.reserve(static_cast<std::size_t>(std::min<uint64_t>(entry.size, 64u << 20)));
  stream_entry(entry, [&](const unsigned char* p, std::size_t n) {
    data.append(reinterpret_cast<const char*>(p), n);
  });
  return data;
}

namespace {

void write_all(int out_fd, const unsigned char* p, std::size_t n, const std::string& name) {
  while (n > 0) {
    ssize_t w = ::write(out_fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    PT2RUN_CHECK(w > 0, Io, "writing '", name, "' out of the package failed: ",
                 std::strerror(errno));
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

}  // namespace

void ZipArchive::copy_to_fd(const ZipEntry& entry, int out_fd) const {
  if (entry.method == 0 && entry.size > kChunk) {
    // A stored entry (a model library: ~100 MB and more) is checked where it lies, on all
    // cores, and written out from there: one copy instead of two through a buffer.
    PT2RUN_CHECK(entry.size == entry.compressed_size, InvalidPackage, kind_, " '", path_,
                 "' is corrupt: stored entry '", entry.name, "' has mismatched sizes");
    PT2RUN_CHECK(entry.data_offset <= file_size_ && entry.size <= file_size_ - entry.data_offset,
                 InvalidPackage, "package '", path_, "' is truncated or corrupt: '",
                 printable(entry.name), "' lies past the end of the file");
    MappedFile mapped;
    bool in_memory = memory_ != nullptr;
    if (!in_memory) {
      try {
        mapped = MappedFile::map(fd_, fd_offset(entry), entry.size,
                                 "'" + entry.name + "' in '" + path_ + "'");
        in_memory = true;
      } catch (const Error&) {
        // A descriptor that cannot be mapped is still read, through the buffer below.
      }
    }
    if (in_memory) {
      const unsigned char* data = memory_ != nullptr ? memory_ + entry.data_offset : mapped.data();
      check_crc(entry, data);
      write_all(out_fd, data, static_cast<std::size_t>(entry.size), entry.name);
      return;
    }
  }
  stream_entry(entry,
               [&](const unsigned char* p, std::size_t n) { write_all(out_fd, p, n, entry.name); });
}

}  // namespace pt2run::detail
