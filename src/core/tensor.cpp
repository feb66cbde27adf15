#include "pt2run/tensor.h"

#include <cstring>
#include <limits>

#include "core/check.h"
#include "core/device_backend.h"
#include "core/storage.h"
#include "core/tensor_copy.h"

namespace pt2run {
namespace {

void check_sizes(const std::vector<int64_t>& sizes) {
  for (int64_t s : sizes)
    PT2RUN_CHECK(s >= 0, InvalidArgument, "negative size ", s, " in tensor sizes");
}

// Elements a strided layout spans: 1 + sum((size_i - 1) * stride_i), or 0 if any size is 0.
// Throws on overflow rather than wrapping.
int64_t required_storage_elements(const std::vector<int64_t>& sizes,
                                  const std::vector<int64_t>& strides) {
  int64_t extent = 1;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == 0) return 0;
    PT2RUN_CHECK(strides[i] >= 0, InvalidArgument, "negative stride ", strides[i],
                 " is not supported");
    int64_t span;
    PT2RUN_CHECK(!__builtin_mul_overflow(sizes[i] - 1, strides[i], &span) &&
                     !__builtin_add_overflow(extent, span, &extent),
                 InvalidArgument, "tensor sizes and strides overflow 64 bits");
  }
  return extent;
}

std::size_t checked_bytes(int64_t elements, DType dtype) {
  std::size_t bytes;
  PT2RUN_CHECK(!__builtin_mul_overflow(static_cast<std::size_t>(elements), element_size(dtype),
                                       &bytes),
               InvalidArgument, "tensor of ", elements, " elements is too large");
  return bytes;
}

void check_dtype(DType dtype) {
  PT2RUN_CHECK(element_size(dtype) != 0, DTypeMismatch, "unknown dtype code ",
               static_cast<int32_t>(dtype));
}

}  // namespace

std::vector<int64_t> contiguous_strides(const std::vector<int64_t>& sizes) {
  std::vector<int64_t> strides(sizes.size());
  int64_t stride = 1;
  for (std::size_t i = sizes.size(); i-- > 0;) {
    strides[i] = stride;
    PT2RUN_CHECK(!__builtin_mul_overflow(stride, std::max<int64_t>(sizes[i], 1), &stride),
                 InvalidArgument, "tensor sizes overflow 64 bits");
  }
  return strides;
}

Tensor::Tensor() = default;

Tensor::Tensor(std::shared_ptr<detail::Storage> storage, std::vector<int64_t> sizes,
               std::vector<int64_t> strides, int64_t storage_offset, DType dtype)
    : storage_(std::move(storage)),
      sizes_(std::move(sizes)),
      strides_(std::move(strides)),
      dim_(static_cast<int64_t>(sizes_.size())),
      storage_offset_(storage_offset),
      dtype_(dtype) {
  if (sizes_.size() < kPaddedDims) sizes_.resize(kPaddedDims, 0);
  if (strides_.size() < kPaddedDims) strides_.resize(kPaddedDims, 0);
}

Tensor Tensor::empty(const std::vector<int64_t>& sizes, DType dtype, Device device) {
  return empty_strided(sizes, contiguous_strides(sizes), dtype, device);
}

Tensor Tensor::empty_strided(const std::vector<int64_t>& sizes,
                             const std::vector<int64_t>& strides, DType dtype, Device device) {
  check_dtype(dtype);
  check_sizes(sizes);
  PT2RUN_CHECK(sizes.size() == strides.size(), InvalidArgument, "sizes has ", sizes.size(),
               " dims but strides has ", strides.size());
  const std::size_t nbytes = checked_bytes(required_storage_elements(sizes, strides), dtype);
  auto storage = device.is_cpu() ? detail::allocate_cpu_storage(nbytes)
                                 : detail::allocate_device_storage(nbytes, device);
  return Tensor(std::move(storage), sizes, strides, 0, dtype);
}

Tensor Tensor::zeros(const std::vector<int64_t>& sizes, DType dtype, Device device) {
  Tensor t = empty(sizes, dtype, device);
  if (t.storage_nbytes() == 0) return t;
  if (device.is_cpu()) std::memset(t.storage_->data, 0, t.storage_nbytes());
  else
    detail::device_backend(device.type)
        .fill_zero(t.storage_->data, t.storage_nbytes(), t.storage_->device.index);
  return t;
}

Tensor Tensor::from_blob(void* data, const std::vector<int64_t>& sizes, DType dtype,
                         Device device, Deleter deleter) {
  return from_blob(data, sizes, contiguous_strides(sizes), dtype, device, std::move(deleter), 0);
}

Tensor Tensor::from_blob(void* data, const std::vector<int64_t>& sizes,
                         const std::vector<int64_t>& strides, DType dtype, Device device,
                         Deleter deleter, int64_t storage_offset) {
  check_dtype(dtype);
  check_sizes(sizes);
  PT2RUN_CHECK(sizes.size() == strides.size(), InvalidArgument, "sizes has ", sizes.size(),
               " dims but strides has ", strides.size());
  PT2RUN_CHECK(storage_offset >= 0, InvalidArgument, "negative storage offset ", storage_offset);
  int64_t elements = required_storage_elements(sizes, strides);
  PT2RUN_CHECK(data != nullptr || elements == 0, InvalidArgument,
               "from_blob with a null data pointer and ", elements, " elements");
  std::size_t nbytes = checked_bytes(elements == 0 ? 0 : elements + storage_offset, dtype);
  auto storage = detail::wrap_storage(data, nbytes, device, std::move(deleter));
  return Tensor(std::move(storage), sizes, strides, storage_offset, dtype);
}

bool Tensor::defined() const noexcept { return storage_ != nullptr; }

DType Tensor::dtype() const { return dtype_; }


Device Tensor::device() const { return storage_ ? storage_->device : Device::cpu(); }

int64_t Tensor::size(int64_t d) const {
  int64_t n = dim();
  PT2RUN_CHECK(d >= -n && d < n, InvalidArgument, "dim ", d, " out of range for a ", n,
               "-d tensor");
  return sizes_[static_cast<std::size_t>(d < 0 ? d + n : d)];
}

int64_t Tensor::stride(int64_t d) const {
  int64_t n = dim();
  PT2RUN_CHECK(d >= -n && d < n, InvalidArgument, "dim ", d, " out of range for a ", n,
               "-d tensor");
  return strides_[static_cast<std::size_t>(d < 0 ? d + n : d)];
}

int64_t Tensor::numel() const noexcept {
  int64_t n = 1;
  for (int64_t s : sizes()) n *= s;
  return n;
}

std::size_t Tensor::element_size() const { return pt2run::element_size(dtype_); }

std::size_t Tensor::nbytes() const { return static_cast<std::size_t>(numel()) * element_size(); }

std::size_t Tensor::storage_nbytes() const { return storage_ ? storage_->nbytes : 0; }

void* Tensor::data_ptr() const {
  if (!storage_ || storage_->data == nullptr) return nullptr;
  return static_cast<std::byte*>(storage_->data) + storage_offset_ * element_size();
}

bool Tensor::is_contiguous() const noexcept {
  int64_t expected = 1;
  for (auto i = static_cast<std::size_t>(dim_); i-- > 0;) {
    if (sizes_[i] == 0) return true;
    if (sizes_[i] == 1) continue;
    if (strides_[i] != expected) return false;
    expected *= sizes_[i];
  }
  return true;
}

bool Tensor::shares_storage_with(const Tensor& other) const noexcept {
  return storage_ != nullptr && storage_ == other.storage_;
}

long Tensor::storage_use_count() const noexcept { return storage_ ? storage_.use_count() : 0; }

Tensor Tensor::as_strided(const std::vector<int64_t>& sizes, const std::vector<int64_t>& strides,
                          int64_t storage_offset) const {
  PT2RUN_CHECK(defined(), InvalidArgument, "as_strided on an undefined tensor");
  check_sizes(sizes);
  PT2RUN_CHECK(sizes.size() == strides.size(), InvalidArgument, "sizes has ", sizes.size(),
               " dims but strides has ", strides.size());
  PT2RUN_CHECK(storage_offset >= 0, InvalidArgument, "negative storage offset ", storage_offset);
  int64_t elements = required_storage_elements(sizes, strides);
  if (elements > 0) {
    std::size_t needed = checked_bytes(elements + storage_offset, dtype_);
    PT2RUN_CHECK(needed <= storage_->nbytes, InvalidArgument, "view of ", needed,
                 " bytes does not fit in a storage of ", storage_->nbytes, " bytes");
  }
  return Tensor(storage_, sizes, strides, storage_offset, dtype_);
}

Tensor Tensor::clone() const {
  PT2RUN_CHECK(defined(), InvalidArgument, "clone of an undefined tensor");
  Tensor out = empty({sizes().begin(), sizes().end()}, dtype_, device());
  detail::copy_elements(out, *this);
  return out;
}

Tensor Tensor::contiguous() const { return is_contiguous() ? *this : clone(); }

Tensor Tensor::to(DType dtype) const {
  PT2RUN_CHECK(defined(), InvalidArgument, "to() on an undefined tensor");
  Tensor out = empty({sizes().begin(), sizes().end()}, dtype, device());
  detail::copy_elements(out, *this);
  return out;
}

Tensor Tensor::to(Device device) const {
  PT2RUN_CHECK(defined(), InvalidArgument, "to() on an undefined tensor");
  const Device here = this->device();
  if (here.type == device.type && (device.index < 0 || here.index == device.index)) return *this;
  Tensor out = empty({sizes().begin(), sizes().end()}, dtype_, device);
  detail::copy_elements(out, *this);
  return out;
}

void Tensor::copy_(const Tensor& src) { detail::copy_elements(*this, src); }

std::string Tensor::describe() const {
  if (!defined()) return "Tensor(undefined)";
  std::string text = "Tensor(" + std::string(dtype_name(dtype_)) + "[";
  for (std::size_t i = 0; i < static_cast<std::size_t>(dim_); ++i)
    text += (i ? ", " : "") + std::to_string(sizes_[i]);
  return text + "], " + device().str() + ")";
}

}  // namespace pt2run
