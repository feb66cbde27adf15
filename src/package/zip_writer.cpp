#include "package/zip_writer.h"

#include <zlib.h>

#include "core/check.h"

namespace pt2run::detail {
namespace {

constexpr uint64_t kMax32 = 0xFFFFFFFF;
constexpr uint64_t kAlignment = 64;
constexpr uint16_t kPaddingExtraId = 0x5054;  // "PT": skipped by readers as an unknown field

class Bytes {
 public:
  Bytes& u16(uint64_t v) { return le(v, 2); }
  Bytes& u32(uint64_t v) { return le(v, 4); }
  Bytes& u64(uint64_t v) { return le(v, 8); }
  Bytes& raw(std::string_view s) {
    data_.append(s);
    return *this;
  }
  const std::string& str() const { return data_; }
  std::size_t size() const { return data_.size(); }

 private:
  Bytes& le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) data_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
    return *this;
  }
  std::string data_;
};

}  // namespace

ZipWriter::ZipWriter(std::ostream& out, bool force_zip64) : out_(out), force_zip64_(force_zip64) {}

void ZipWriter::put(std::string_view bytes) {
  out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  PT2RUN_CHECK(out_.good(), Io, "writing a zip archive failed");
  position_ += bytes.size();
}

void ZipWriter::add(const std::string& name, std::string_view data) {
  PT2RUN_CHECK(name.size() < 0xFFFF, InvalidArgument, "zip entry name too long");
  const bool zip64 = force_zip64_ || data.size() >= kMax32;
  uLong crc = ::crc32(0L, Z_NULL, 0);
  for (std::size_t done = 0; done < data.size();) {
    const std::size_t n = std::min<std::size_t>(data.size() - done, 1u << 30);
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(data.data() + done), static_cast<uInt>(n));
    done += n;
  }
  Bytes extra;
  if (zip64) extra.u16(1).u16(16).u64(data.size()).u64(data.size());
  const uint64_t header_end = position_ + 30 + name.size() + extra.size();
  uint64_t pad = (kAlignment - (header_end + 4) % kAlignment) % kAlignment;
  extra.u16(kPaddingExtraId).u16(pad).raw(std::string(pad, '\0'));
  Bytes header;
  header.u32(0x04034b50).u16(zip64 ? 45 : 20).u16(0).u16(0).u16(0).u16(0x21)
      .u32(crc).u32(zip64 ? kMax32 : data.size()).u32(zip64 ? kMax32 : data.size())
      .u16(name.size()).u16(extra.size()).raw(name).raw(extra.str());
  entries_.push_back({name, static_cast<uint32_t>(crc), data.size(), position_});
  put(header.str());
  put(data);
}

void ZipWriter::finish() {
  const uint64_t cd_offset = position_;
  for (const Written& e : entries_) {
    const bool big_size = force_zip64_ || e.size >= kMax32;
    const bool big_offset = force_zip64_ || e.offset >= kMax32;
    Bytes extra;
    if (big_size || big_offset) {
      extra.u16(1).u16((big_size ? 16 : 0) + (big_offset ? 8 : 0));
      if (big_size) extra.u64(e.size).u64(e.size);
      if (big_offset) extra.u64(e.offset);
    }
    Bytes header;
    header.u32(0x02014b50).u16(45).u16(extra.size() ? 45 : 20).u16(0).u16(0).u16(0).u16(0x21)
        .u32(e.crc).u32(big_size ? kMax32 : e.size).u32(big_size ? kMax32 : e.size)
        .u16(e.name.size()).u16(extra.size()).u16(0).u16(0).u16(0).u32(0)
        .u32(big_offset ? kMax32 : e.offset).raw(e.name).raw(extra.str());
    put(header.str());
  }
  const uint64_t cd_size = position_ - cd_offset;
  const bool zip64 = force_zip64_ || entries_.size() >= 0xFFFF || cd_offset >= kMax32 || cd_size >= kMax32;
  if (zip64) {
    const uint64_t record = position_;
    Bytes end64;
    end64.u32(0x06064b50).u64(44).u16(45).u16(45).u32(0).u32(0)
        .u64(entries_.size()).u64(entries_.size()).u64(cd_size).u64(cd_offset);
    end64.u32(0x07064b50).u32(0).u64(record).u32(1);
    put(end64.str());
  }
  Bytes end;
  end.u32(0x06054b50).u16(0).u16(0)
      .u16(zip64 ? 0xFFFF : entries_.size()).u16(zip64 ? 0xFFFF : entries_.size())
      .u32(zip64 ? kMax32 : cd_size).u32(zip64 ? kMax32 : cd_offset).u16(0);
  put(end.str());
  out_.flush();
  PT2RUN_CHECK(out_.good(), Io, "writing a zip archive failed");
}

}  // namespace pt2run::detail
