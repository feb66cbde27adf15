#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "pt2run/device.h"
#include "pt2run/dtype.h"
#include "pt2run/export.h"

namespace pt2run {

namespace detail {
struct Storage;
}

// A strided view on reference-counted storage, like at::Tensor: copying a Tensor makes a new
// view that shares the storage (no data is copied); the storage is freed when its last view
// goes. CPU storage pt2run allocates is 64-byte aligned.
//
// Thread safety: distinct Tensor objects may be used from different threads, also when they
// share storage (the reference count is atomic). Writing the same elements from several
// threads at once is the caller's race, as in torch.
//
// Errors: every factory and method throws pt2run::Error (InvalidArgument for bad sizes,
// strides or dims, OutOfMemory when allocation fails).
class PT2RUN_API Tensor {
 public:
  // Called with the data pointer when the last view of a from_blob tensor is destroyed.
  using Deleter = std::function<void(void*)>;

  // An undefined tensor (defined() == false), as at::Tensor().
  Tensor();

  // Uninitialized contiguous / strided tensors. Strides are in elements.
  static Tensor empty(const std::vector<int64_t>& sizes, DType dtype,
                      Device device = Device::cpu());
  static Tensor empty_strided(const std::vector<int64_t>& sizes,
                              const std::vector<int64_t>& strides, DType dtype,
                              Device device = Device::cpu());
  static Tensor zeros(const std::vector<int64_t>& sizes, DType dtype,
                      Device device = Device::cpu());

  // Zero-copy view of caller memory. Lifetime rule: without a deleter, the caller keeps
  // `data` valid and unmoved for as long as any tensor sharing it exists, including tensors
  // the runner returns (an output can alias an input) and constants handed to a runner as
  // user-managed; with a deleter, pt2run calls it exactly once when the last such tensor goes.
  static Tensor from_blob(void* data, const std::vector<int64_t>& sizes, DType dtype,
                          Device device = Device::cpu(), Deleter deleter = nullptr);
  static Tensor from_blob(void* data, const std::vector<int64_t>& sizes,
                          const std::vector<int64_t>& strides, DType dtype,
                          Device device = Device::cpu(), Deleter deleter = nullptr,
                          int64_t storage_offset = 0);

  bool defined() const noexcept;
  DType dtype() const;
  Device device() const;
  int64_t dim() const noexcept { return dim_; }
  std::span<const int64_t> sizes() const noexcept { return {sizes_.data(), static_cast<std::size_t>(dim_)}; }
  std::span<const int64_t> strides() const noexcept { return {strides_.data(), static_cast<std::size_t>(dim_)}; }
  // Negative d counts from the end, as in torch.
  int64_t size(int64_t d) const;
  int64_t stride(int64_t d) const;
  int64_t numel() const noexcept;
  int64_t storage_offset() const noexcept { return storage_offset_; }
  std::size_t element_size() const;
  // numel() * element_size(): the bytes a contiguous copy would take.
  std::size_t nbytes() const;
  // Bytes of the whole underlying storage.
  std::size_t storage_nbytes() const;
  // Address of element 0 (storage base + storage_offset); nullptr for an empty storage.
  void* data_ptr() const;
  template <class T>
  T* data() const {
    return static_cast<T*>(data_ptr());
  }
  bool is_contiguous() const noexcept;
  // True if both tensors view the same storage.
  bool shares_storage_with(const Tensor& other) const noexcept;
  // Number of tensors (views) sharing this storage; 0 for an undefined tensor.
  long storage_use_count() const noexcept;

  // A new view on the same storage. storage_offset is absolute, in elements; the view must
  // fit in the storage.
  Tensor as_strided(const std::vector<int64_t>& sizes, const std::vector<int64_t>& strides,
                    int64_t storage_offset) const;
  // Same sizes and strides, reinterpreting nothing: a contiguous deep copy.
  Tensor clone() const;
  // This tensor if already contiguous, else a contiguous copy.
  Tensor contiguous() const;
  // A contiguous copy converted to `dtype` (values converted as torch's .to(dtype)).
  Tensor to(DType dtype) const;
  // This tensor if already on `device`, else a contiguous copy there (CUDA needs
  // libpt2run_cuda loaded; a copy to the host is complete on return).
  Tensor to(Device device) const;
  // Copies src into this tensor element by element, converting dtype; sizes must match.
  void copy_(const Tensor& src);

  // "Tensor(float32[2, 3], cpu)".
  std::string describe() const;

  // Internal: the storage handle the shim and backends work with.
  const std::shared_ptr<detail::Storage>& storage() const noexcept { return storage_; }
  Tensor(std::shared_ptr<detail::Storage> storage, std::vector<int64_t> sizes,
         std::vector<int64_t> strides, int64_t storage_offset, DType dtype);

 private:
  std::shared_ptr<detail::Storage> storage_;
  // Padded with zeros to at least kPaddedDims entries: AOTInductor's generated input checks
  // read sizes[d] and strides[d] for the rank the model expects without checking the rank
  // first, so a lower-rank input must still leave readable memory there (it then fails the
  // check cleanly instead of reading out of bounds).
  static constexpr std::size_t kPaddedDims = 8;
  std::vector<int64_t> sizes_;
  std::vector<int64_t> strides_;
  int64_t dim_ = 0;
  int64_t storage_offset_ = 0;
  DType dtype_ = DType::Float32;
};

// Contiguous strides for sizes (a 0 or 1 size contributes stride as torch computes it).
PT2RUN_API std::vector<int64_t> contiguous_strides(const std::vector<int64_t>& sizes);

}  // namespace pt2run
