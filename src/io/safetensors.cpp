#include "io/safetensors.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <tuple>

#include "core/check.h"

namespace pt2run::io {
namespace {

struct Code {
  std::string_view name;
  DType dtype;
};

constexpr Code kCodes[] = {
    {"F64", DType::Float64},  {"F32", DType::Float32},  {"F16", DType::Float16},
    {"BF16", DType::BFloat16}, {"I64", DType::Int64},   {"I32", DType::Int32},
    {"I16", DType::Int16},    {"I8", DType::Int8},      {"U8", DType::UInt8},
    {"U16", DType::UInt16},   {"U32", DType::UInt32},   {"U64", DType::UInt64},
    {"BOOL", DType::Bool},    {"F8_E4M3", DType::Float8_e4m3fn}, {"F8_E5M2", DType::Float8_e5m2},
    {"F8_E8M0", DType::Float8_e8m0fnu}, {"C64", DType::Complex64},
};

constexpr uint64_t kMaxHeader = 100u << 20;  // what the reference implementation allows

}  // namespace

NamedTensors parse_safetensors(std::span<const std::byte> bytes, const std::string& what) {
  PT2RUN_CHECK(bytes.size() >= 8, InvalidArgument, what, " is not a .safetensors file (",
               bytes.size(), " bytes, shorter than its header length)");
  uint64_t header_len = 0;
  std::memcpy(&header_len, bytes.data(), 8);
  PT2RUN_CHECK(header_len <= kMaxHeader && header_len <= bytes.size() - 8, InvalidArgument, what,
               ": truncated or malformed .safetensors header (", header_len,
               " bytes announced, ", bytes.size() - 8, " present)");
  const auto* text = reinterpret_cast<const char*>(bytes.data()) + 8;
  auto header = nlohmann::json::parse(text, text + header_len, nullptr, /*allow_exceptions=*/false);
  PT2RUN_CHECK(header.is_object(), InvalidArgument, what, ": the .safetensors header is not a JSON object");
  const std::size_t data_size = bytes.size() - 8 - header_len;
  const std::byte* data = bytes.data() + 8 + header_len;

  struct Item {
    std::string name;
    DType dtype;
    std::vector<int64_t> shape;
    uint64_t begin, end;
  };
  std::vector<Item> items;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") continue;
    const std::string where = what + ": tensor '" + name + "'";
    PT2RUN_CHECK(info.is_object() && info.contains("dtype") && info["dtype"].is_string() &&
                     info.contains("shape") && info["shape"].is_array() &&
                     info.contains("data_offsets") && info["data_offsets"].is_array() &&
                     info["data_offsets"].size() == 2,
                 InvalidArgument, where, " lacks a dtype, shape or data_offsets");
    const std::string code = info["dtype"].get<std::string>();
    auto it = std::find_if(std::begin(kCodes), std::end(kCodes), [&](const Code& c) { return c.name == code; });
    PT2RUN_CHECK(it != std::end(kCodes), InvalidArgument, where, " has dtype '", code,
                 "', which pt2run does not know");
    Item item{name, it->dtype, {}, 0, 0};
    for (const auto& d : info["shape"]) {
      PT2RUN_CHECK(d.is_number_integer() && d.get<int64_t>() >= 0, InvalidArgument, where,
                   " has a negative or non-integer dimension");
      item.shape.push_back(d.get<int64_t>());
    }
    // A zero anywhere in the shape means no data, whatever the other dims say.
    const bool no_elements = std::find(item.shape.begin(), item.shape.end(), int64_t{0}) != item.shape.end();
    uint64_t bytes_needed = no_elements ? 0 : element_size(item.dtype);
    for (int64_t v : item.shape) {
      if (no_elements) break;
      PT2RUN_CHECK(bytes_needed <= data_size / static_cast<uint64_t>(v), InvalidArgument, where,
                   " has a shape larger than the file's data (", data_size, " bytes)");
      bytes_needed *= static_cast<uint64_t>(v);
    }
    const auto& offsets = info["data_offsets"];
    PT2RUN_CHECK(offsets[0].is_number_unsigned() && offsets[1].is_number_unsigned(), InvalidArgument,
                 where, " has malformed data_offsets");
    item.begin = offsets[0].get<uint64_t>();
    item.end = offsets[1].get<uint64_t>();
    PT2RUN_CHECK(item.begin <= item.end && item.end <= data_size, InvalidArgument, where,
                 " has data_offsets [", item.begin, ", ", item.end, "] past the end of the data (",
                 data_size, " bytes)");
    PT2RUN_CHECK(item.end - item.begin == bytes_needed, InvalidArgument, where, " has ",
                 item.end - item.begin, " bytes of data but its shape and dtype need ", bytes_needed);
    items.push_back(std::move(item));
  }
  std::sort(items.begin(), items.end(),
            [](const Item& a, const Item& b) { return std::tie(a.begin, a.end) < std::tie(b.begin, b.end); });
  // A zero-element tensor holds no bytes (its range is [x, x], often the neighbour's edge), so
  // only tensors with data can overlap.
  const Item* last = nullptr;
  for (const Item& item : items) {
    if (item.begin == item.end) continue;
    PT2RUN_CHECK(!last || item.begin >= last->end, InvalidArgument, what, ": the data of '", last->name, "' and '",
                 item.name, "' overlap");
    last = &item;
  }

  NamedTensors result;
  for (const Item& item : items) {
    Tensor t = Tensor::empty(item.shape, item.dtype);
    if (item.end > item.begin) std::memcpy(t.data_ptr(), data + item.begin, item.end - item.begin);
    result.emplace_back(item.name, std::move(t));
  }
  return result;
}

std::string encode_safetensors(const NamedTensors& tensors) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  std::vector<Tensor> contiguous;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    PT2RUN_CHECK(name != "__metadata__" && !header.contains(name), InvalidArgument,
                 "cannot write two tensors named '", name, "' to .safetensors");
    Tensor t = tensor.contiguous();
    auto it = std::find_if(std::begin(kCodes), std::end(kCodes),
                           [&](const Code& c) { return c.dtype == t.dtype(); });
    PT2RUN_CHECK(it != std::end(kCodes), NotImplemented, "cannot write ", dtype_name(t.dtype()),
                 " to .safetensors (no such dtype there)");
    header[name] = {{"dtype", std::string(it->name)},
                    {"shape", std::vector<int64_t>(t.sizes().begin(), t.sizes().end())},
                    {"data_offsets", {offset, offset + t.nbytes()}}};
    offset += t.nbytes();
    contiguous.push_back(std::move(t));
  }
  std::string text = header.dump();
  while ((8 + text.size()) % 8 != 0) text += ' ';  // data aligned to 8 bytes, as the reference writer does
  std::string out(8, '\0');
  const uint64_t len = text.size();
  std::memcpy(out.data(), &len, 8);
  out += text;
  for (const Tensor& t : contiguous) out.append(static_cast<const char*>(t.data_ptr()), t.nbytes());
  return out;
}

}  // namespace pt2run::io
