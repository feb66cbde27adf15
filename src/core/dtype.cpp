#include "pt2run/dtype.h"

#include <array>

namespace pt2run {
namespace {

struct DTypeInfo {
  DType dtype;
  std::string_view name;
  std::size_t size;
};

constexpr std::array<DTypeInfo, 22> kDTypes = {{
    {DType::UInt8, "uint8", 1},
    {DType::Int8, "int8", 1},
    {DType::Int16, "int16", 2},
    {DType::Int32, "int32", 4},
    {DType::Int64, "int64", 8},
    {DType::Float16, "float16", 2},
    {DType::Float32, "float32", 4},
    {DType::Float64, "float64", 8},
    {DType::Complex32, "complex32", 4},
    {DType::Complex64, "complex64", 8},
    {DType::Complex128, "complex128", 16},
    {DType::Bool, "bool", 1},
    {DType::BFloat16, "bfloat16", 2},
    {DType::Float8_e5m2, "float8_e5m2", 1},
    {DType::Float8_e4m3fn, "float8_e4m3fn", 1},
    {DType::Float8_e5m2fnuz, "float8_e5m2fnuz", 1},
    {DType::Float8_e4m3fnuz, "float8_e4m3fnuz", 1},
    {DType::UInt16, "uint16", 2},
    {DType::UInt32, "uint32", 4},
    {DType::UInt64, "uint64", 8},
    {DType::Float8_e8m0fnu, "float8_e8m0fnu", 1},
    {DType::Float4_e2m1fn_x2, "float4_e2m1fn_x2", 1},
}};

const DTypeInfo* find(DType dtype) {
  for (const auto& info : kDTypes)
    if (info.dtype == dtype) return &info;
  return nullptr;
}

}  // namespace

std::optional<DType> dtype_from_code(int32_t code) noexcept {
  for (const auto& info : kDTypes)
    if (static_cast<int32_t>(info.dtype) == code) return info.dtype;
  return std::nullopt;
}

std::size_t element_size(DType dtype) noexcept {
  const DTypeInfo* info = find(dtype);
  return info ? info->size : 0;
}

std::string_view dtype_name(DType dtype) noexcept {
  const DTypeInfo* info = find(dtype);
  return info ? info->name : "unknown";
}

std::optional<DType> dtype_from_name(std::string_view name) noexcept {
  if (name.starts_with("torch.")) name.remove_prefix(6);
  for (const auto& info : kDTypes)
    if (info.name == name) return info.dtype;
  if (name == "float" || name == "f32") return DType::Float32;
  if (name == "half") return DType::Float16;
  if (name == "double") return DType::Float64;
  if (name == "long") return DType::Int64;
  if (name == "int") return DType::Int32;
  return std::nullopt;
}

bool is_floating_point(DType dtype) noexcept {
  switch (dtype) {
    case DType::Float16:
    case DType::Float32:
    case DType::Float64:
    case DType::BFloat16:
    case DType::Float8_e5m2:
    case DType::Float8_e4m3fn:
    case DType::Float8_e5m2fnuz:
    case DType::Float8_e4m3fnuz:
    case DType::Float8_e8m0fnu:
    case DType::Float4_e2m1fn_x2:
      return true;
    default:
      return false;
  }
}

bool is_complex(DType dtype) noexcept {
  return dtype == DType::Complex32 || dtype == DType::Complex64 || dtype == DType::Complex128;
}

}  // namespace pt2run
