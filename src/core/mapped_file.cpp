#include "core/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "core/check.h"

namespace pt2run::detail {

int make_memfd(const std::string& name) {
  // The kernel caps the name at 249 bytes.
  std::string label = name.size() > 240 ? "..." + name.substr(name.size() - 237) : name;
  int fd = memfd_create(label.c_str(), MFD_CLOEXEC);
  PT2RUN_CHECK(fd >= 0, Io, "cannot create an in-memory copy of '", name, "': ",
               std::strerror(errno));
  return fd;
}

MappedFile MappedFile::open(const std::string& path, const std::string& what) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    fail(err == ENOENT ? ErrorCode::NotFound : ErrorCode::Io, "cannot open ", what, " '", path,
         "': ", std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    fail(ErrorCode::Io, "cannot stat ", what, " '", path, "': ", std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    fail(ErrorCode::InvalidArgument, what, " '", path, "' is ", S_ISDIR(st.st_mode) ? "a directory" : "not a regular file",
         ": give a file");
  }
  try {
    MappedFile file = map(fd, 0, static_cast<uint64_t>(st.st_size), what + " '" + path + "'");
    ::close(fd);
    return file;
  } catch (...) {
    ::close(fd);
    throw;
  }
}

MappedFile MappedFile::map(int fd, uint64_t offset, uint64_t size, const std::string& what) {
  MappedFile file;
  if (size == 0) return file;
  const auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t start = offset / page * page;
  file.length_ = static_cast<std::size_t>(size + (offset - start));
  file.base_ = ::mmap(nullptr, file.length_, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
                      static_cast<off_t>(start));
  if (file.base_ == MAP_FAILED) {
    file.base_ = nullptr;
    fail(ErrorCode::Io, "cannot map ", what, ": ", std::strerror(errno));
  }
  file.data_ = static_cast<uint8_t*>(file.base_) + (offset - start);
  file.size_ = size;
  return file;
}

MappedFile::MappedFile(MappedFile&& other) noexcept { *this = std::move(other); }

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    if (base_) ::munmap(base_, length_);
    base_ = std::exchange(other.base_, nullptr);
    length_ = std::exchange(other.length_, 0);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (base_) ::munmap(base_, length_);
}

}  // namespace pt2run::detail
