#include "package/sha256.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "core/check.h"
#include "core/text.h"

namespace pt2run::detail {

std::string sha256_hex(int fd, uint64_t offset, uint64_t size, const void* data, const std::string& what) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  PT2RUN_CHECK(ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1, OutOfMemory,
               "cannot start a SHA-256 digest");
  if (data != nullptr) {
    PT2RUN_CHECK(EVP_DigestUpdate(ctx.get(), data, size) == 1, Internal, "SHA-256 failed");
  } else {
    std::vector<unsigned char> buffer(std::size_t{1} << 20);
    for (uint64_t done = 0; done < size;) {
      const auto want = static_cast<std::size_t>(std::min<uint64_t>(buffer.size(), size - done));
      const ssize_t n = ::pread(fd, buffer.data(), want, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      PT2RUN_CHECK(n > 0, Io, "reading ", what, " for its SHA-256 failed: ",
                   n < 0 ? std::strerror(errno) : "unexpected end of file");
      PT2RUN_CHECK(EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<std::size_t>(n)) == 1, Internal,
                   "SHA-256 failed");
      done += static_cast<uint64_t>(n);
    }
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  PT2RUN_CHECK(EVP_DigestFinal_ex(ctx.get(), digest, &length) == 1, Internal, "SHA-256 failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xF];
  }
  return hex;
}

std::string normalized_sha256(std::string_view digest) {
  std::string out;
  for (char c : digest) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const bool hex = out.size() == 64 && out.find_first_not_of("0123456789abcdef") == std::string::npos;
  PT2RUN_CHECK(hex, InvalidArgument, "expected SHA-256 '", printable(digest, 80),
               "' is not 64 hex digits (sha256sum prints it)");
  return out;
}

void check_sha256(const std::string& actual, std::string_view expected, const std::string& what) {
  const std::string want = normalized_sha256(expected);
  PT2RUN_CHECK(actual == want, InvalidPackage, what, " has SHA-256 ", actual, ", not the expected ", want,
               ": it is not the package this was given, and nothing in it was loaded");
}

}  // namespace pt2run::detail
