// The zip reader on archives built here byte by byte: deflated entries whose output ends on
// the reader's chunk boundary, duplicate names, and CRCs of mapped (stored) entries.

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/mapped_file.h"
#include "package/crc32.h"
#include "package/zip_archive.h"
#include "pt2run/error.h"

namespace pt2run {
namespace {

struct Member {
  std::string name;
  std::string data;
  bool deflate = false;
};

void put16(std::string& out, uint32_t v) {
  out += static_cast<char>(v & 0xFF);
  out += static_cast<char>((v >> 8) & 0xFF);
}
void put32(std::string& out, uint32_t v) {
  put16(out, v & 0xFFFF);
  put16(out, v >> 16);
}

std::string raw_deflate(const std::string& data) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, data.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// A zip (no zip64) of the members, in order, names unchecked: duplicates are written as given.
std::string zip_of(const std::vector<Member>& members) {
  std::string out, directory;
  for (const Member& m : members) {
    const std::string stored = m.deflate ? raw_deflate(m.data) : m.data;
    const auto crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(m.data.data()),
                                                 static_cast<uInt>(m.data.size())));
    const auto offset = static_cast<uint32_t>(out.size());
    auto common = [&](std::string& h) {
      put16(h, 20);
      put16(h, 0);
      put16(h, m.deflate ? 8 : 0);
      put32(h, 0);  // time, date
      put32(h, crc);
      put32(h, static_cast<uint32_t>(stored.size()));
      put32(h, static_cast<uint32_t>(m.data.size()));
      put16(h, static_cast<uint32_t>(m.name.size()));
      put16(h, 0);  // extra
    };
    put32(out, 0x04034b50);
    common(out);
    out += m.name + stored;
    put32(directory, 0x02014b50);
    put16(directory, 20);
    common(directory);
    put16(directory, 0);  // comment
    put16(directory, 0);  // disk
    put16(directory, 0);
    put32(directory, 0);
    put32(directory, offset);
    directory += m.name;
  }
  const auto directory_offset = static_cast<uint32_t>(out.size());
  out += directory;
  put32(out, 0x06054b50);
  put32(out, 0);
  put16(out, static_cast<uint32_t>(members.size()));
  put16(out, static_cast<uint32_t>(members.size()));
  put32(out, static_cast<uint32_t>(directory.size()));
  put32(out, directory_offset);
  put16(out, 0);
  return out;
}

std::unique_ptr<detail::ZipArchive> open(const std::string& bytes) {
  return detail::ZipArchive::open_memory(bytes.data(), bytes.size(), "test.zip");
}

TEST(Zip, DeflatedEntriesEndingOnTheReadersChunkBoundaryInflate) {
  // The reader inflates in 1 MiB pieces: output of exactly k MiB used to be "ends early".
  for (std::size_t size : {std::size_t{1} << 20, std::size_t{2} << 20, (std::size_t{1} << 20) - 1,
                           (std::size_t{1} << 20) + 1, std::size_t{64} << 20}) {
    std::string data(size, '\0');
    for (std::size_t i = 0; i < size; i += 4093) data[i] = static_cast<char>(i / 4093);
    const std::string zip = zip_of({{"a.bin", data, true}});
    auto archive = open(zip);
    EXPECT_EQ(archive->read(archive->entries()[0]), data) << size;
  }
}

TEST(Zip, DeflatedEntryCutShortIsRefused) {
  std::string data(3 << 20, 'x');
  for (std::size_t i = 0; i < data.size(); i += 7) data[i] = static_cast<char>(i);
  const std::string zip = zip_of({{"a.bin", data, true}});
  auto archive = open(zip);
  const detail::ZipEntry entry = archive->entries()[0];
  // The same entry with only the first half of its deflate stream.
  detail::ZipEntry shorter = entry;
  shorter.compressed_size /= 2;
  try {
    archive->read(shorter);
    FAIL() << "a cut deflate stream was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("ends early"), std::string::npos) << e.what();
  }
  EXPECT_EQ(archive->read(entry), data);
}

TEST(Zip, DuplicateNamesAreRefused) {
  const std::string zip = zip_of({{"model/data/m.json", "{}"}, {"other", "x"}, {"model/data/m.json", "{\"a\":1}"}});
  try {
    open(zip);
    FAIL() << "an archive with two entries of one name was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidPackage);
    EXPECT_NE(std::string(e.what()).find("two entries named 'model/data/m.json'"), std::string::npos) << e.what();
  }
  // A name that is not UTF-8 is shown escaped.
  try {
    open(zip_of({{"a\xff", "1"}, {"a\xff", "2"}}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("a\\xff"), std::string::npos) << e.what();
  }
}

TEST(Zip, MappedEntriesAreCrcChecked) {
  std::string data(5 << 20, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31 + (i >> 12));
  std::string zip = zip_of({{"w.blob", data}});
  auto archive = open(zip);
  const detail::ZipEntry& entry = archive->entries()[0];
  EXPECT_NO_THROW(archive->check_crc(entry, zip.data() + entry.data_offset));
  zip[entry.data_offset + 4'000'000] ^= 1;
  try {
    archive->check_crc(entry, zip.data() + entry.data_offset);
    FAIL() << "a flipped byte passed the CRC";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("CRC of 'w.blob' does not match"), std::string::npos) << e.what();
  }
}

TEST(Zip, ParallelCrcEqualsZlibs) {
  // Sizes around the parallel split, where a part boundary could be off by one.
  for (uint64_t size : {uint64_t{0}, uint64_t{1}, uint64_t{64} << 20, (uint64_t{96} << 20) + 3}) {
    std::vector<unsigned char> data(size);
    for (uint64_t i = 0; i < size; ++i) data[i] = static_cast<unsigned char>(i ^ (i >> 9));
    uLong expected = crc32(0, Z_NULL, 0);
    if (size) expected = crc32(expected, data.data(), static_cast<uInt>(size));
    EXPECT_EQ(detail::crc32_of(data.data(), size), static_cast<uint32_t>(expected)) << size;
  }
}

// Large stored entries (model libraries) are checked in place and written out in one pass, from
// a package file and from memory: the bytes arrive whole, and a damaged byte is refused.
TEST(Zip, LargeStoredEntriesCopyWholeOrAreRefused) {
  std::string data((3 << 20) + 5, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + (i >> 11));
  std::string zip = zip_of({{"small.txt", "x"}, {"model.so", data}});
  for (bool damaged : {false, true}) {
    if (damaged) zip[zip.find(data.substr(0, 64)) + (2 << 20)] ^= 0x10;
    const int file = detail::make_memfd("package.pt2");  // the archive takes it
    ASSERT_EQ(::write(file, zip.data(), zip.size()), static_cast<ssize_t>(zip.size()));
    std::vector<std::unique_ptr<detail::ZipArchive>> archives;
    archives.push_back(open(zip));
    archives.push_back(detail::ZipArchive::open_fd(file, 0, zip.size(), "package.pt2"));
    for (const auto& archive : archives) {
      const detail::ZipEntry* entry = archive->find("model.so");
      ASSERT_NE(entry, nullptr);
      const int out = detail::make_memfd("model.so");
      if (damaged) {
        try {
          archive->copy_to_fd(*entry, out);
          ADD_FAILURE() << "a damaged library was copied";
        } catch (const Error& e) {
          EXPECT_NE(std::string(e.what()).find("CRC of 'model.so' does not match"), std::string::npos)
              << e.what();
        }
      } else {
        archive->copy_to_fd(*entry, out);
        std::string copied(data.size(), '\0');
        ASSERT_EQ(::pread(out, copied.data(), copied.size(), 0),
                  static_cast<ssize_t>(copied.size()));
        EXPECT_TRUE(copied == data);
        EXPECT_EQ(::lseek(out, 0, SEEK_END), static_cast<off_t>(data.size()));
      }
      ::close(out);
    }
  }
}

TEST(Zip, FastCrcEqualsZlibsAtEveryLengthAndAlignment) {
  // Every length through the folding's 64- and 16-byte steps and its zlib tail, from unaligned
  // starts, continuing from a CRC as a chunked reader does.
  std::mt19937 random(7);
  std::vector<unsigned char> data(4096 + 64);
  for (auto& b : data) b = static_cast<unsigned char>(random());
  for (std::size_t size = 0; size <= 1100; ++size)
    for (std::size_t offset : {0, 1, 13}) {
      for (uint32_t start : {0u, 0xDEADBEEFu}) {
        const auto expected = static_cast<uint32_t>(
            crc32(start, data.data() + offset, static_cast<uInt>(size)));
        ASSERT_EQ(detail::crc32_update(start, data.data() + offset, size), expected)
            << "size " << size << " offset " << offset << " from " << start;
      }
    }
  // A single changed bit anywhere changes it.
  const uint32_t whole = detail::crc32_update(0, data.data(), 4096);
  for (std::size_t bit : {0, 7, 8 * 63 + 5, 8 * 64, 8 * 4000 + 3, 8 * 4095 + 7}) {
    data[bit / 8] ^= static_cast<unsigned char>(1u << (bit % 8));
    EXPECT_NE(detail::crc32_update(0, data.data(), 4096), whole) << "bit " << bit;
    data[bit / 8] ^= static_cast<unsigned char>(1u << (bit % 8));
  }
}

}  // namespace
}  // namespace pt2run
