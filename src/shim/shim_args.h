#pragma once

// Argument decoding shared by the shim's translation units.

#include <vector>

#include "backends/convolution_shape.h"
#include "core/check.h"
#include "pt2run/device.h"
#include "pt2run/dtype.h"

namespace pt2run::shim {

inline std::vector<int64_t> int_array(const int64_t* data, int64_t length, const char* name) {
  PT2RUN_CHECK(length >= 0 && length <= 64, InvalidArgument, "bad length ", length, " for '",
               name, "'");
  PT2RUN_CHECK(data != nullptr || length == 0, InvalidArgument, "null '", name, "' array");
  return std::vector<int64_t>(data, data + length);
}

inline DType dtype_arg(int32_t code) {
  auto dtype = dtype_from_code(code);
  PT2RUN_CHECK(dtype.has_value(), DTypeMismatch, "dtype code ", code,
               " (a quantized or sub-byte type) is not supported by pt2run");
  return *dtype;
}

inline Device device_arg(int32_t device_type, int32_t device_index) {
  switch (device_type) {
    case 0: return Device{DeviceType::CPU, -1};
    case 1: return Device{DeviceType::CUDA, device_index};
    default:
      detail::fail(ErrorCode::DeviceMismatch, "device type ", device_type,
                   " is not supported by pt2run (cpu = 0, cuda = 1)");
  }
}

// The optional layout and device arguments of a CPU factory fallback (rand, hann_window, ...):
// only a strided CPU tensor can be made here.
inline void require_cpu_strided(const int32_t* layout, const int32_t* device, int32_t device_index, const char* op) {
  PT2RUN_CHECK(layout == nullptr || *layout == 0, InvalidArgument, op, ": only the strided layout is supported");
  PT2RUN_CHECK(device == nullptr || device_arg(*device, device_index).type == DeviceType::CPU, DeviceMismatch, op,
               ": the CPU fallback makes CPU tensors");
}

// The device of a device-generic (aten_*) factory: the one named, else `fallback` (the CPU, or
// self's for new_*); strided layout only.
inline Device factory_device(const int32_t* layout, const int32_t* device, int32_t device_index, Device fallback,
                             const char* op) {
  PT2RUN_CHECK(layout == nullptr || *layout == 0, InvalidArgument, op, ": only the strided layout is supported");
  return device ? device_arg(*device, device_index) : fallback;
}

// aten.convolution's parameters as the CPU and CUDA convolution shims receive them.
inline detail::ConvolutionParams convolution_params(const int64_t* stride, int64_t stride_len, const int64_t* padding,
                                                    int64_t padding_len, const int64_t* dilation,
                                                    int64_t dilation_len, int32_t transposed,
                                                    const int64_t* output_padding, int64_t output_padding_len,
                                                    int64_t groups) {
  detail::ConvolutionParams params;
  params.stride = int_array(stride, stride_len, "stride");
  params.padding = int_array(padding, padding_len, "padding");
  params.dilation = int_array(dilation, dilation_len, "dilation");
  params.transposed = transposed != 0;
  params.output_padding = int_array(output_padding, output_padding_len, "output_padding");
  params.groups = groups;
  return params;
}

}  // namespace pt2run::shim
