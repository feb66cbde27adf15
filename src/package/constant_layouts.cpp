#include "package/constant_layouts.h"

#include <cstdlib>
#include <optional>

namespace pt2run::detail {
namespace {

// "{16, 8}" -> {16, 8}; nullopt if malformed.
std::optional<std::vector<int64_t>> parse_int_list(std::string_view text) {
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return std::nullopt;
  std::vector<int64_t> values;
  std::string body(text.substr(1, text.size() - 2));
  const char* p = body.c_str();
  while (*p) {
    while (*p == ' ' || *p == ',') ++p;
    if (!*p) break;
    char* end = nullptr;
    long long v = std::strtoll(p, &end, 10);
    if (end == p) return std::nullopt;
    values.push_back(v);
    p = end;
    while (*p == 'L' || *p == 'l') ++p;  // integer suffixes
  }
  return values;
}

struct Entry {
  std::string name;
  std::optional<std::vector<int64_t>> shape, stride;
};

}  // namespace

std::map<std::string, ConstantLayout> parse_constant_layouts(std::string_view source) {
  // Lines look like:  constants_info_[3].shape = {4, 16};
  constexpr std::string_view kPrefix = "constants_info_[";
  std::map<std::size_t, Entry> entries;
  for (std::size_t at = source.find(kPrefix); at != std::string_view::npos;
       at = source.find(kPrefix, at + 1)) {
    std::size_t line_end = source.find(';', at);
    if (line_end == std::string_view::npos) break;
    std::string_view line = source.substr(at + kPrefix.size(), line_end - at - kPrefix.size());
    std::size_t close = line.find("].");
    std::size_t eq = line.find(" = ");
    if (close == std::string_view::npos || eq == std::string_view::npos || eq < close) continue;
    char* end = nullptr;
    std::string index_text(line.substr(0, close));
    std::size_t index = std::strtoul(index_text.c_str(), &end, 10);
    if (end == index_text.c_str() || *end) continue;
    std::string_view field = line.substr(close + 2, eq - close - 2);
    std::string_view value = line.substr(eq + 3);
    Entry& e = entries[index];
    if (field == "name" && value.size() >= 2 && value.front() == '"' && value.back() == '"')
      e.name = std::string(value.substr(1, value.size() - 2));
    else if (field == "shape")
      e.shape = parse_int_list(value);
    else if (field == "stride")
      e.stride = parse_int_list(value);
  }
  std::map<std::string, ConstantLayout> layouts;
  for (auto& [index, e] : entries) {
    if (e.name.empty() || !e.shape || !e.stride || e.shape->size() != e.stride->size()) continue;
    layouts[e.name] = ConstantLayout{std::move(*e.shape), std::move(*e.stride)};
  }
  return layouts;
}

}  // namespace pt2run::detail
