#include "pt2run/dlpack.h"

#include <dlpack/dlpack.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "core/check.h"
#include "core/storage.h"

namespace pt2run {
namespace {

// DLPack 0.8+ adds these codes; numpy 2 exports bool as kDLBool.
constexpr uint8_t kDLBoolCode = 6;
constexpr uint8_t kDLFloat8E4M3FN = 10;  // DLPack 1.1 numbering
constexpr uint8_t kDLFloat8E5M2 = 12;

struct DTypeCode {
  DType dtype;
  uint8_t code;
  uint8_t bits;
};

constexpr DTypeCode kCodes[] = {
    {DType::Float32, kDLFloat, 32},   {DType::Float64, kDLFloat, 64},
    {DType::Float16, kDLFloat, 16},   {DType::BFloat16, kDLBfloat, 16},
    {DType::Int8, kDLInt, 8},         {DType::Int16, kDLInt, 16},
    {DType::Int32, kDLInt, 32},       {DType::Int64, kDLInt, 64},
    {DType::UInt8, kDLUInt, 8},       {DType::UInt16, kDLUInt, 16},
    {DType::UInt32, kDLUInt, 32},     {DType::UInt64, kDLUInt, 64},
    {DType::Bool, kDLBoolCode, 8},    {DType::Complex64, kDLComplex, 64},
    {DType::Complex128, kDLComplex, 128},
    {DType::Float8_e4m3fn, kDLFloat8E4M3FN, 8}, {DType::Float8_e5m2, kDLFloat8E5M2, 8},
};

// What a DLManagedTensor made by to_dlpack owns: a view of the tensor (keeping its storage
// alive) and the shape and stride arrays DLTensor points at.
struct Exported {
  DLManagedTensor managed{};
  Tensor tensor;
  std::vector<int64_t> shape, strides;
};

}  // namespace

DLManagedTensor* to_dlpack(const Tensor& tensor) {
  PT2RUN_CHECK(tensor.defined(), InvalidArgument, "to_dlpack of an undefined tensor");
  const DTypeCode* code = nullptr;
  for (const auto& c : kCodes)
    if (c.dtype == tensor.dtype()) code = &c;
  PT2RUN_CHECK(code != nullptr, NotImplemented, "DLPack has no code for ", dtype_name(tensor.dtype()));
  auto exported = std::make_unique<Exported>();
  exported->tensor = tensor;
  exported->shape.assign(tensor.sizes().begin(), tensor.sizes().end());
  exported->strides.assign(tensor.strides().begin(), tensor.strides().end());
  DLTensor& dl = exported->managed.dl_tensor;
  dl.data = tensor.data_ptr();
  dl.byte_offset = 0;
  const Device device = tensor.device();
  dl.device = {device.is_cpu() ? kDLCPU : kDLCUDA, device.is_cpu() ? 0 : std::max(device.index, 0)};
  dl.ndim = static_cast<int>(tensor.dim());
  dl.dtype = {code->code, code->bits, 1};
  dl.shape = exported->shape.data();
  dl.strides = exported->strides.data();
  exported->managed.manager_ctx = exported.get();
  exported->managed.deleter = [](DLManagedTensor* self) {
    delete static_cast<Exported*>(self->manager_ctx);
  };
  return &exported.release()->managed;
}

Tensor from_dlpack(DLManagedTensor* managed) {
  PT2RUN_CHECK(managed != nullptr, InvalidArgument, "from_dlpack of a null DLManagedTensor");
  // From here on the deleter must run exactly once, whatever happens.
  std::shared_ptr<DLManagedTensor> owner(managed, [](DLManagedTensor* m) {
    if (m->deleter) m->deleter(m);
  });
  const DLTensor& dl = managed->dl_tensor;
  PT2RUN_CHECK(dl.dtype.lanes == 1, InvalidArgument, "DLPack vector types (lanes = ", dl.dtype.lanes,
               ") are not supported");
  const DTypeCode* code = nullptr;
  for (const auto& c : kCodes)
    if (c.code == dl.dtype.code && c.bits == dl.dtype.bits) code = &c;
  PT2RUN_CHECK(code != nullptr, NotImplemented, "pt2run has no dtype for DLPack code ",
               int{dl.dtype.code}, " with ", int{dl.dtype.bits}, " bits");
  Device device = Device::cpu();
  if (dl.device.device_type == kDLCUDA)
    device = Device::cuda(dl.device.device_id);
  else
    PT2RUN_CHECK(dl.device.device_type == kDLCPU || dl.device.device_type == kDLCUDAHost,
                 DeviceMismatch, "DLPack device type ", int{dl.device.device_type},
                 " is not supported (CPU and CUDA are)");
  PT2RUN_CHECK(dl.ndim >= 0 && (dl.ndim == 0 || dl.shape != nullptr), InvalidArgument,
               "DLPack tensor with ndim ", dl.ndim, " and no shape");
  std::vector<int64_t> sizes(dl.shape, dl.shape + dl.ndim);
  std::vector<int64_t> strides = dl.strides ? std::vector<int64_t>(dl.strides, dl.strides + dl.ndim)
                                            : contiguous_strides(sizes);
  const std::size_t item = element_size(code->dtype);
  PT2RUN_CHECK(dl.byte_offset % item == 0, InvalidArgument, "DLPack byte_offset ", dl.byte_offset,
               " is not a multiple of the element size ", item);
  auto* base = static_cast<char*>(dl.data) + dl.byte_offset;
  // Negative strides would need a storage that starts before data: not supported.
  for (int64_t s : strides)
    PT2RUN_CHECK(s >= 0, InvalidArgument, "DLPack tensors with negative strides are not supported");
  return Tensor::from_blob(base, sizes, strides, code->dtype, device,
                           [owner](void*) mutable { owner.reset(); });
}

}  // namespace pt2run
