#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "pt2run/export.h"

namespace pt2run {

// Element types. The numbers are c10::ScalarType's, which AOTInductor bakes into model
// libraries (constant metadata, cached dtype codes): they must never change.
enum class DType : int32_t {
  UInt8 = 0,
  Int8 = 1,
  Int16 = 2,
  Int32 = 3,
  Int64 = 4,
  Float16 = 5,
  Float32 = 6,
  Float64 = 7,
  Complex32 = 8,
  Complex64 = 9,
  Complex128 = 10,
  Bool = 11,
  BFloat16 = 15,
  Float8_e5m2 = 23,
  Float8_e4m3fn = 24,
  Float8_e5m2fnuz = 25,
  Float8_e4m3fnuz = 26,
  UInt16 = 27,
  UInt32 = 28,
  UInt64 = 29,
  Float8_e8m0fnu = 44,
  Float4_e2m1fn_x2 = 45,
};

// The DType for a c10::ScalarType code, or nullopt for codes pt2run does not know
// (quantized and sub-byte types).
PT2RUN_API std::optional<DType> dtype_from_code(int32_t code) noexcept;
// Bytes per element (Float4_e2m1fn_x2 packs two values in one byte: 1).
PT2RUN_API std::size_t element_size(DType dtype) noexcept;
// torch's spelling without the "torch." prefix: "float32", "bfloat16", "float8_e4m3fn", ...
PT2RUN_API std::string_view dtype_name(DType dtype) noexcept;
PT2RUN_API std::optional<DType> dtype_from_name(std::string_view name) noexcept;
PT2RUN_API bool is_floating_point(DType dtype) noexcept;
PT2RUN_API bool is_complex(DType dtype) noexcept;

constexpr int32_t dtype_code(DType dtype) noexcept { return static_cast<int32_t>(dtype); }

}  // namespace pt2run
