#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "pt2run/export.h"

namespace pt2run {

// Numbers are c10::DeviceType's (the aoti_torch_device_type_* values).
enum class DeviceType : int32_t { CPU = 0, CUDA = 1 };

struct PT2RUN_API Device {
  DeviceType type = DeviceType::CPU;
  // -1: the current device of that type.
  int32_t index = -1;

  static Device cpu() { return Device{DeviceType::CPU, -1}; }
  static Device cuda(int32_t index = -1) { return Device{DeviceType::CUDA, index}; }
  // Parses "cpu", "cuda", "cuda:1". Throws Error(InvalidArgument) on anything else.
  static Device parse(std::string_view text);
  bool is_cpu() const { return type == DeviceType::CPU; }
  // "cpu", "cuda", "cuda:1".
  std::string str() const;
  bool operator==(const Device&) const = default;
};

}  // namespace pt2run
