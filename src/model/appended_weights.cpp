#include "model/appended_weights.h"

#include <cstring>

#include "core/check.h"
#include "model/elf_image.h"

namespace pt2run::detail {
namespace {

constexpr uint64_t kSectionAlignment = 16384;

uint64_t read_u64(const unsigned char* p) {
  uint64_t value;
  std::memcpy(&value, p, sizeof(value));
  return value;
}

}  // namespace

AppendedWeights check_appended_weights(std::span<const unsigned char> header,
                                       std::span<const unsigned char> file,
                                       const std::string& name) {
  PT2RUN_CHECK(header.size() >= 16, InvalidPackage, "model library '", name,
               "' has a malformed appended-weights header");
  AppendedWeights w;
  w.size = read_u64(header.data());
  w.magic = read_u64(header.data() + 8);
  PT2RUN_CHECK(w.size >= sizeof(uint64_t) && w.size <= file.size(), InvalidPackage,
               "model library '", name, "' is truncated: its appended weights need ", w.size,
               " bytes but the file has ", file.size(), ". Copy the package again");
  w.offset = file.size() - w.size;
  PT2RUN_CHECK(w.offset % kSectionAlignment == 0, InvalidPackage, "model library '", name,
               "' is damaged: its appended weights start at byte ", w.offset,
               ", not on a 16 KiB boundary (bytes were added or removed)");
  const uint64_t trailer = read_u64(file.data() + file.size() - sizeof(uint64_t));
  PT2RUN_CHECK(trailer == w.magic, InvalidPackage, "model library '", name,
               "' has corrupt appended weights: the trailing magic number does not match the "
               "library's. Copy the package again");
  return w;
}

std::optional<AppendedWeights> find_appended_weights(const ElfImage& image, const std::string& name) {
  auto start = image.defined_symbol_address("_binary_constants_bin_start");
  auto end = image.defined_symbol_address("_binary_constants_bin_end");
  // Embedded weights span the real size; a binary_blob build keeps 8 bytes; an appended
  // section is described by 16 bytes, read by code that locates its own file with dladdr.
  if (!start || !end || *end < *start || *end - *start != 16) return std::nullopt;
  bool locates_itself = false;
  for (const auto& symbol : image.undefined_symbols()) locates_itself |= symbol == "dladdr";
  if (!locates_itself) return std::nullopt;
  std::span<const unsigned char> file(image.data(), image.size());
  const uint64_t offset = image.file_offset(*start);
  PT2RUN_CHECK(offset + 16 <= file.size(), InvalidPackage, "model library '", name, "' is corrupt");
  AppendedWeights w = check_appended_weights(file.subspan(offset, 16), file, name);
  // A section claiming bytes of the library itself would hand the model its own code as weights.
  PT2RUN_CHECK(w.offset >= image.content_end(), InvalidPackage, "model library '", name,
               "' is damaged: its appended weights (", w.size, " bytes from the end) overlap the library's own "
               "content, which ends at byte ", image.content_end(), ". Copy the package again");
  // AOTInductor pads the library to the section's boundary (16 KiB, or the page size where that
  // is larger) with spaces: anything else before the section means its recorded size is not
  // the section's, and the model would read its weights from the wrong place.
  constexpr uint64_t kMaxPadding = 65536;
  const uint64_t gap = w.offset - image.content_end();
  bool padding = gap < kMaxPadding;
  for (uint64_t i = image.content_end(); padding && i < w.offset; ++i)
    padding = file[i] == ' ' || file[i] == '\0';
  PT2RUN_CHECK(padding, InvalidPackage, "model library '", name, "' is damaged: the ", gap,
               " bytes between its content and its appended weights are not padding, so the weights' recorded "
               "size (", w.size, " bytes) is not theirs. Copy the package again");
  return w;
}

std::optional<std::pair<uint64_t, uint64_t>> find_embedded_weights(const ElfImage& image) {
  auto start = image.defined_symbol_address("_binary_constants_bin_start");
  auto end = image.defined_symbol_address("_binary_constants_bin_end");
  // 16 bytes or fewer: an appended-section header or a binary_blob placeholder, not weights.
  if (!start || !end || *end <= *start + 16) return std::nullopt;
  const uint64_t size = *end - *start;
  try {
    // Both ends in the file, contiguously (one loadable segment).
    const uint64_t offset = image.file_offset(*start);
    if (image.file_offset(*end - 1) != offset + size - 1) return std::nullopt;
    return std::make_pair(offset, size);
  } catch (const Error&) {
    return std::nullopt;  // not in the file: nothing there to release
  }
}

}  // namespace pt2run::detail
