#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>

namespace pt2run::detail {

class ElfImage;

// Weights AOTInductor appends to a model library past ~2 GB of constants, or with
// aot_inductor.force_mmap_weights (USE_MMAP_SELF, aoti-abi.md §7.4): the library file is
// padded to a 16 KiB boundary, then the serialized constants, then an 8-byte magic number;
// the library's _binary_constants_bin_start holds {appended size including the magic, magic}.
// At load the model maps that section from its own file and copies it into its constant blob.
struct AppendedWeights {
  uint64_t offset = 0;  // of the section in the library file
  uint64_t size = 0;    // bytes, the trailing magic included
  uint64_t magic = 0;
};

// Checks the section described by `header` (the 16 bytes at _binary_constants_bin_start)
// against the library bytes `file`, in place (nothing is copied). Throws
// Error(InvalidPackage) naming `name` and what is wrong: truncated, misaligned, or a magic
// that does not match (corrupt).
AppendedWeights check_appended_weights(std::span<const unsigned char> header,
                                       std::span<const unsigned char> file,
                                       const std::string& name);

// The appended section of a library, or nullopt if its weights are embedded (or external).
std::optional<AppendedWeights> find_appended_weights(const ElfImage& image, const std::string& name);

// Where a library's embedded constants lie in its file: {offset, size}; nullopt if it embeds
// none (weights appended, external, or a library without _binary_constants_bin_*).
std::optional<std::pair<uint64_t, uint64_t>> find_embedded_weights(const ElfImage& image);

}  // namespace pt2run::detail
