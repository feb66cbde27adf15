#include "package/thread_bound.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "package/package.h"

namespace pt2run::detail {
namespace {

bool is_identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

void merge(std::optional<int>& bound, std::optional<int> found) {
  if (found && (!bound || *found < *bound)) bound = found;
}

}  // namespace

std::optional<int> kernel_thread_bound(std::string_view source) {
  // Declarations read `<name>_arr[<digits>]` where <name> holds "tmp_acc"; uses index them
  // with a variable (`tmp_acc0_arr[tid]`) and are skipped.
  constexpr std::string_view kSuffix = "_arr[";
  std::optional<int> bound;
  for (std::size_t at = source.find(kSuffix); at != std::string_view::npos; at = source.find(kSuffix, at + 1)) {
    std::size_t begin = at;
    while (begin > 0 && is_identifier_char(source[begin - 1])) --begin;
    if (source.substr(begin, at - begin).find("tmp_acc") == std::string_view::npos) continue;
    std::size_t pos = at + kSuffix.size();
    long long value = 0;
    std::size_t digits = 0;
    while (pos < source.size() && std::isdigit(static_cast<unsigned char>(source[pos])) && digits < 9) {
      value = value * 10 + (source[pos] - '0');
      ++pos;
      ++digits;
    }
    if (digits == 0 || pos >= source.size() || source[pos] != ']' || value < 1) continue;
    merge(bound, static_cast<int>(value));
  }
  return bound;
}

ThreadBound package_thread_bound(const Pt2Package& package, const ModelFiles& model) {
  ThreadBound result;
  for (const ZipEntry* entry : model.files) {
    if (!entry->name.ends_with(".kernel.cpp") && !entry->name.ends_with(".wrapper.cpp")) continue;
    result.known = true;
    merge(result.max_threads, kernel_thread_bound(package.archive().read(*entry)));
  }
  return result;
}

LibrarySources library_sources(const std::string& library_path) {
  LibrarySources sources;
  std::error_code error;
  const auto folder = std::filesystem::path(library_path).parent_path();
  if (library_path.starts_with("/proc/") || folder.empty()) return sources;
  for (const auto& file : std::filesystem::directory_iterator(folder, error)) {
    const std::string name = file.path().filename().string();
    const bool wrapper = name.ends_with(".wrapper.cpp");
    if (!wrapper && !name.ends_with(".kernel.cpp")) continue;
    if (!file.is_regular_file(error)) continue;
    std::ifstream in(file.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    sources.kernels.push_back(text.str());
    if (wrapper) sources.wrapper = sources.kernels.back();
  }
  return sources;
}

ThreadBound sources_thread_bound(const LibrarySources& sources) {
  ThreadBound result;
  result.known = !sources.kernels.empty();
  for (const auto& text : sources.kernels) merge(result.max_threads, kernel_thread_bound(text));
  return result;
}

}  // namespace pt2run::detail
