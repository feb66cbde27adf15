#include "pt2run/device.h"

#include <charconv>

#include "core/check.h"

namespace pt2run {

Device Device::parse(std::string_view text) {
  std::string_view type = text.substr(0, text.find(':'));
  Device device;
  if (type == "cpu") {
    device.type = DeviceType::CPU;
  } else if (type == "cuda") {
    device.type = DeviceType::CUDA;
  } else {
    detail::fail(ErrorCode::InvalidArgument, "unknown device '", text,
                 "': expected cpu, cuda or cuda:N");
  }
  if (type.size() < text.size()) {
    std::string_view index = text.substr(type.size() + 1);
    int32_t value = -1;
    auto [end, ec] = std::from_chars(index.data(), index.data() + index.size(), value);
    PT2RUN_CHECK(ec == std::errc() && end == index.data() + index.size() && value >= 0,
                 InvalidArgument, "bad device index in '", text, "': expected cpu, cuda or cuda:N");
    device.index = value;
  }
  return device;
}

std::string Device::str() const {
  std::string name = type == DeviceType::CPU ? "cpu" : "cuda";
  if (index >= 0) name.append(":").append(std::to_string(index));
  return name;
}

}  // namespace pt2run
