#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pt2run::detail {

// A 64-bit little-endian ELF shared library held in writable memory (a private copy of the
// model library): read what the loader will need, and drop unwanted DT_NEEDED entries before
// the dynamic loader sees the file. Every offset is bounds-checked; a malformed image gives
// Error(InvalidPackage) naming `name`.
class ElfImage {
 public:
  ElfImage(unsigned char* data, std::size_t size, std::string name);

  // e_machine of the image (62 = x86-64, 183 = AArch64).
  uint16_t machine() const { return machine_; }
  std::vector<std::string> needed_libraries() const;
  // Names of undefined, non-weak dynamic symbols (without version suffixes).
  std::vector<std::string> undefined_symbols() const;
  // Address of a defined dynamic symbol; nullopt if not defined.
  std::optional<uint64_t> defined_symbol_address(const std::string& symbol) const;
  // File offset of an address in a loadable segment; throws Error(InvalidPackage) if none.
  uint64_t file_offset(uint64_t vaddr) const { return vaddr_to_offset(vaddr); }
  const unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }
  // Where the ELF content (loadable segments, section headers) ends in the file: bytes past it
  // are padding or appended weights.
  uint64_t content_end() const { return content_end_; }
  // Rebinds every STB_GNU_UNIQUE dynamic symbol (C++ inline statics) as STB_GLOBAL; returns how
  // many. glibc never unloads a library that defines a unique symbol, so without this every
  // model loaded and unloaded would stay in memory. Each model keeps its own statics either way
  // (models are loaded RTLD_LOCAL and share no C++ state with each other or with pt2run).
  int make_unique_symbols_global();
  // Points the library's undefined symbol `from` at `to` (a name of the same length, which
  // the dynamic loader then resolves unversioned); false if the library does not import `from`.
  bool redirect_import(const std::string& from, const std::string& to);
  // Removes every DT_NEEDED entry for which drop(name) is true; returns the removed names.
  template <class Pred>
  std::vector<std::string> remove_needed(Pred&& drop);

 private:
  struct DynEntry {
    int64_t tag;
    uint64_t value;
  };
  std::vector<DynEntry> dynamic_entries() const;
  // visit(const Elf64_Sym&, std::string name) for every named .dynsym entry.
  template <class Visit>
  void for_each_dynamic_symbol(Visit&& visit) const;
  uint64_t vaddr_to_offset(uint64_t vaddr) const;
  std::string string_at(uint64_t strtab_offset, uint64_t strtab_size, uint64_t index) const;
  void check_range(uint64_t offset, uint64_t size, const char* what) const;
  void write_dynamic_entries(const std::vector<DynEntry>& entries);

  unsigned char* data_;
  std::size_t size_;
  std::string name_;
  uint16_t machine_ = 0;
  uint64_t dynamic_offset_ = 0;
  uint64_t dynamic_size_ = 0;
  uint64_t dynstr_offset_ = 0;
  uint64_t dynstr_size_ = 0;
  struct Segment {
    uint64_t vaddr, offset, filesz;
  };
  std::vector<Segment> loads_;
  uint64_t content_end_ = 0;
  uint64_t shoff_ = 0;
  uint16_t shnum_ = 0;
};

template <class Pred>
std::vector<std::string> ElfImage::remove_needed(Pred&& drop) {
  std::vector<DynEntry> kept;
  std::vector<std::string> removed;
  for (const DynEntry& e : dynamic_entries()) {
    if (e.tag == 1 /* DT_NEEDED */) {
      std::string lib = string_at(dynstr_offset_, dynstr_size_, e.value);
      if (drop(lib)) {
        removed.push_back(lib);
        continue;
      }
    }
    kept.push_back(e);
  }
  if (!removed.empty()) write_dynamic_entries(kept);
  return removed;
}

}  // namespace pt2run::detail
