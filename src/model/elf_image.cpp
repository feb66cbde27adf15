#include "model/elf_image.h"

#include <elf.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "core/check.h"

namespace pt2run::detail {
namespace {

template <class T>
T read_struct(const unsigned char* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

}  // namespace

void ElfImage::check_range(uint64_t offset, uint64_t size, const char* what) const {
  PT2RUN_CHECK(offset <= size_ && size <= size_ - offset, InvalidPackage, "model library '",
               name_, "' is corrupt: ", what, " lies outside the file");
}

ElfImage::ElfImage(unsigned char* data, std::size_t size, std::string name)
    : data_(data), size_(size), name_(std::move(name)) {
  PT2RUN_CHECK(size_ >= sizeof(Elf64_Ehdr) && std::memcmp(data_, ELFMAG, SELFMAG) == 0,
               InvalidPackage, "model library '", name_, "' is not an ELF file");
  PT2RUN_CHECK(data_[EI_CLASS] == ELFCLASS64 && data_[EI_DATA] == ELFDATA2LSB, InvalidPackage,
               "model library '", name_, "' is not a 64-bit little-endian ELF file");
  auto header = read_struct<Elf64_Ehdr>(data_);
  PT2RUN_CHECK(header.e_type == ET_DYN, InvalidPackage, "model library '", name_,
               "' is not a shared library");
  machine_ = header.e_machine;
  PT2RUN_CHECK(header.e_phentsize == sizeof(Elf64_Phdr), InvalidPackage, "model library '", name_,
               "' has an unexpected program header size");
  check_range(header.e_phoff, uint64_t{header.e_phnum} * sizeof(Elf64_Phdr), "program headers");
  for (uint16_t i = 0; i < header.e_phnum; ++i) {
    auto ph = read_struct<Elf64_Phdr>(data_ + header.e_phoff + i * sizeof(Elf64_Phdr));
    if (ph.p_type == PT_LOAD) {
      // The dynamic loader maps each segment from the file: a segment running past its end
      // maps pages with nothing behind them, and touching them is SIGBUS.
      check_range(ph.p_offset, ph.p_filesz, "a loadable segment");
      PT2RUN_CHECK(ph.p_memsz >= ph.p_filesz, InvalidPackage, "model library '", name_,
                   "' is corrupt: a loadable segment is smaller in memory than in the file");
      loads_.push_back({ph.p_vaddr, ph.p_offset, ph.p_filesz});
      content_end_ = std::max<uint64_t>(content_end_, ph.p_offset + ph.p_filesz);
    }
    if (ph.p_type == PT_DYNAMIC) {
      check_range(ph.p_offset, ph.p_filesz, "the dynamic section");
      dynamic_offset_ = ph.p_offset;
      dynamic_size_ = ph.p_filesz;
    }
  }
  PT2RUN_CHECK(!loads_.empty(), InvalidPackage, "model library '", name_, "' has no loadable segment");
  PT2RUN_CHECK(dynamic_size_ > 0, InvalidPackage, "model library '", name_,
               "' has no dynamic section");
  uint64_t strtab_vaddr = 0;
  for (const DynEntry& e : dynamic_entries()) {
    if (e.tag == DT_STRTAB) strtab_vaddr = e.value;
    if (e.tag == DT_STRSZ) dynstr_size_ = e.value;
  }
  PT2RUN_CHECK(strtab_vaddr != 0, InvalidPackage, "model library '", name_,
               "' has no dynamic string table");
  dynstr_offset_ = vaddr_to_offset(strtab_vaddr);
  check_range(dynstr_offset_, dynstr_size_, "the dynamic string table");
  if (header.e_shentsize == sizeof(Elf64_Shdr) && header.e_shnum > 0) {
    check_range(header.e_shoff, uint64_t{header.e_shnum} * sizeof(Elf64_Shdr), "section headers");
    shoff_ = header.e_shoff;
    shnum_ = header.e_shnum;
    content_end_ = std::max<uint64_t>(content_end_, shoff_ + uint64_t{shnum_} * sizeof(Elf64_Shdr));
  }
}

bool ElfImage::redirect_import(const std::string& from, const std::string& to) {
  PT2RUN_CHECK(from.size() == to.size(), Internal, "redirect_import needs names of one length");
  for (uint16_t i = 0; i < shnum_; ++i) {
    auto sh = read_struct<Elf64_Shdr>(data_ + shoff_ + i * sizeof(Elf64_Shdr));
    if (sh.sh_type != SHT_DYNSYM || sh.sh_entsize != sizeof(Elf64_Sym) || sh.sh_link >= shnum_) continue;
    check_range(sh.sh_offset, sh.sh_size, ".dynsym");
    auto strtab = read_struct<Elf64_Shdr>(data_ + shoff_ + sh.sh_link * sizeof(Elf64_Shdr));
    check_range(strtab.sh_offset, strtab.sh_size, ".dynstr");
    // The symbol versions, one 16-bit index per .dynsym entry.
    unsigned char* versions = nullptr;
    for (uint16_t k = 0; k < shnum_; ++k) {
      auto vs = read_struct<Elf64_Shdr>(data_ + shoff_ + k * sizeof(Elf64_Shdr));
      if (vs.sh_type != SHT_GNU_versym) continue;
      check_range(vs.sh_offset, vs.sh_size, ".gnu.version");
      if (vs.sh_size / 2 >= sh.sh_size / sizeof(Elf64_Sym)) versions = data_ + vs.sh_offset;
    }
    for (uint64_t index = 1; (index + 1) * sizeof(Elf64_Sym) <= sh.sh_size; ++index) {
      auto sym = read_struct<Elf64_Sym>(data_ + sh.sh_offset + index * sizeof(Elf64_Sym));
      if (sym.st_shndx != SHN_UNDEF || sym.st_name == 0) continue;
      if (string_at(strtab.sh_offset, strtab.sh_size, sym.st_name) != from) continue;
      std::memcpy(data_ + strtab.sh_offset + sym.st_name, to.data(), to.size());
      if (versions != nullptr) {
        // Unversioned (VER_NDX_GLOBAL): the old name's version belongs to the old provider.
        const uint16_t global = VER_NDX_GLOBAL;
        std::memcpy(versions + index * 2, &global, sizeof(global));
      }
      return true;
    }
  }
  return false;
}

int ElfImage::make_unique_symbols_global() {
  int changed = 0;
  for (uint16_t i = 0; i < shnum_; ++i) {
    auto sh = read_struct<Elf64_Shdr>(data_ + shoff_ + i * sizeof(Elf64_Shdr));
    if (sh.sh_type != SHT_DYNSYM || sh.sh_entsize != sizeof(Elf64_Sym)) continue;
    check_range(sh.sh_offset, sh.sh_size, ".dynsym");
    for (uint64_t off = 0; off + sizeof(Elf64_Sym) <= sh.sh_size; off += sizeof(Elf64_Sym)) {
      unsigned char* info = data_ + sh.sh_offset + off + offsetof(Elf64_Sym, st_info);
      if (ELF64_ST_BIND(*info) != STB_GNU_UNIQUE) continue;
      *info = static_cast<unsigned char>(ELF64_ST_INFO(STB_GLOBAL, ELF64_ST_TYPE(*info)));
      ++changed;
    }
  }
  return changed;
}

std::vector<ElfImage::DynEntry> ElfImage::dynamic_entries() const {
  std::vector<DynEntry> entries;
  for (uint64_t off = 0; off + sizeof(Elf64_Dyn) <= dynamic_size_; off += sizeof(Elf64_Dyn)) {
    auto dyn = read_struct<Elf64_Dyn>(data_ + dynamic_offset_ + off);
    if (dyn.d_tag == DT_NULL) break;
    entries.push_back({dyn.d_tag, dyn.d_un.d_val});
  }
  return entries;
}

void ElfImage::write_dynamic_entries(const std::vector<DynEntry>& entries) {
  // Fewer entries than before: rewrite in place and pad with DT_NULL.
  const uint64_t capacity = dynamic_size_ / sizeof(Elf64_Dyn);
  PT2RUN_CHECK(entries.size() < capacity, Internal, "dynamic section of '", name_,
               "' cannot shrink");
  for (uint64_t i = 0; i < capacity; ++i) {
    Elf64_Dyn dyn{};
    if (i < entries.size()) {
      dyn.d_tag = entries[i].tag;
      dyn.d_un.d_val = entries[i].value;
    }
    std::memcpy(data_ + dynamic_offset_ + i * sizeof(Elf64_Dyn), &dyn, sizeof(dyn));
  }
}

uint64_t ElfImage::vaddr_to_offset(uint64_t vaddr) const {
  for (const Segment& s : loads_)
    if (vaddr >= s.vaddr && vaddr - s.vaddr < s.filesz) return s.offset + (vaddr - s.vaddr);
  fail(ErrorCode::InvalidPackage, "model library '", name_, "' is corrupt: address 0x",
       std::hex, vaddr, " is in no loadable segment");
}

std::string ElfImage::string_at(uint64_t strtab_offset, uint64_t strtab_size, uint64_t index) const {
  PT2RUN_CHECK(index < strtab_size, InvalidPackage, "model library '", name_,
               "' is corrupt: string index out of range");
  const char* begin = reinterpret_cast<const char*>(data_ + strtab_offset + index);
  const void* end = std::memchr(begin, '\0', strtab_size - index);
  PT2RUN_CHECK(end != nullptr, InvalidPackage, "model library '", name_,
               "' is corrupt: unterminated string");
  return std::string(begin, static_cast<const char*>(end));
}

std::vector<std::string> ElfImage::needed_libraries() const {
  std::vector<std::string> needed;
  for (const DynEntry& e : dynamic_entries())
    if (e.tag == DT_NEEDED) needed.push_back(string_at(dynstr_offset_, dynstr_size_, e.value));
  return needed;
}

template <class Visit>
void ElfImage::for_each_dynamic_symbol(Visit&& visit) const {
  PT2RUN_CHECK(shnum_ > 0, InvalidPackage, "model library '", name_,
               "' has no section headers; pt2run needs .dynsym to check its imports");
  for (uint16_t i = 0; i < shnum_; ++i) {
    auto sh = read_struct<Elf64_Shdr>(data_ + shoff_ + i * sizeof(Elf64_Shdr));
    if (sh.sh_type != SHT_DYNSYM) continue;
    PT2RUN_CHECK(sh.sh_entsize == sizeof(Elf64_Sym) && sh.sh_link < shnum_, InvalidPackage,
                 "model library '", name_, "' has a malformed .dynsym");
    check_range(sh.sh_offset, sh.sh_size, ".dynsym");
    auto strtab = read_struct<Elf64_Shdr>(data_ + shoff_ + sh.sh_link * sizeof(Elf64_Shdr));
    check_range(strtab.sh_offset, strtab.sh_size, ".dynstr");
    for (uint64_t off = sizeof(Elf64_Sym); off + sizeof(Elf64_Sym) <= sh.sh_size;
         off += sizeof(Elf64_Sym)) {
      auto sym = read_struct<Elf64_Sym>(data_ + sh.sh_offset + off);
      if (sym.st_name == 0) continue;
      visit(sym, string_at(strtab.sh_offset, strtab.sh_size, sym.st_name));
    }
  }
}

std::vector<std::string> ElfImage::undefined_symbols() const {
  std::vector<std::string> names;
  for_each_dynamic_symbol([&](const Elf64_Sym& sym, std::string name) {
    if (sym.st_shndx == SHN_UNDEF && ELF64_ST_BIND(sym.st_info) != STB_WEAK)
      names.push_back(std::move(name));
  });
  return names;
}

std::optional<uint64_t> ElfImage::defined_symbol_address(const std::string& symbol) const {
  std::optional<uint64_t> vaddr;
  for_each_dynamic_symbol([&](const Elf64_Sym& sym, const std::string& name) {
    if (!vaddr && sym.st_shndx != SHN_UNDEF && name == symbol) vaddr = sym.st_value;
  });
  return vaddr;
}

}  // namespace pt2run::detail
