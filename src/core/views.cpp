#include "core/views.h"

#include <algorithm>
#include <limits>

#include "core/check.h"
#include "core/layout.h"

namespace pt2run::detail {
namespace {

std::vector<int64_t> strides_of(const Tensor& t) { return {t.strides().begin(), t.strides().end()}; }

Tensor retyped_view(const Tensor& t, DType dtype, const std::vector<int64_t>& sizes,
                    const std::vector<int64_t>& strides, int64_t offset) {
  Tensor retyped(t.storage(), {}, {}, 0, dtype);
  return retyped.as_strided(sizes, strides, offset);
}

}  // namespace

int64_t wrap_dim(int64_t dim, int64_t rank, const char* op) {
  const int64_t r = std::max<int64_t>(rank, 1);
  PT2RUN_CHECK(dim >= -r && dim < r, InvalidArgument, op, ": dim ", dim, " is out of range for rank ", rank);
  return dim < 0 ? dim + r : dim;
}

Tensor view_dtype(const Tensor& t, DType to) {
  const auto from_size = static_cast<int64_t>(t.element_size());
  const auto to_size = static_cast<int64_t>(element_size(to));
  std::vector<int64_t> sizes = sizes_of(t), strides = strides_of(t);
  int64_t offset = t.storage_offset();
  if (from_size != to_size) {
    // torch's rule: the last dim must be contiguous; it absorbs the size change.
    PT2RUN_CHECK(t.dim() > 0 && strides.back() == 1, InvalidArgument,
                 "view(dtype) to a different element size needs a contiguous last dim, got ", t.describe());
    if (to_size < from_size) {
      const int64_t r = from_size / to_size;
      sizes.back() *= r;
      for (std::size_t i = 0; i + 1 < strides.size(); ++i) strides[i] *= r;
      offset *= r;
    } else {
      const int64_t r = to_size / from_size;
      PT2RUN_CHECK(sizes.back() % r == 0 && offset % r == 0, InvalidArgument, "view(dtype): last dim ",
                   sizes.back(), " of ", t.describe(), " is not divisible by ", r);
      sizes.back() /= r;
      for (std::size_t i = 0; i + 1 < strides.size(); ++i) {
        PT2RUN_CHECK(strides[i] % r == 0, InvalidArgument, "view(dtype): stride ", strides[i], " of ",
                     t.describe(), " is not divisible by ", r);
        strides[i] /= r;
      }
      offset /= r;
    }
  }
  return retyped_view(t, to, sizes, strides, offset);
}

Tensor view_as_real(const Tensor& t) {
  DType real;
  switch (t.dtype()) {
    case DType::Complex32: real = DType::Float16; break;
    case DType::Complex64: real = DType::Float32; break;
    case DType::Complex128: real = DType::Float64; break;
    default: fail(ErrorCode::DTypeMismatch, "view_as_real needs a complex tensor, got ", t.describe());
  }
  std::vector<int64_t> sizes = sizes_of(t), strides;
  for (int64_t s : t.strides()) strides.push_back(s * 2);
  sizes.push_back(2);
  strides.push_back(1);
  return retyped_view(t, real, sizes, strides, t.storage_offset() * 2);
}

Tensor view_as_complex(const Tensor& t) {
  DType complex;
  switch (t.dtype()) {
    case DType::Float16: complex = DType::Complex32; break;
    case DType::Float32: complex = DType::Complex64; break;
    case DType::Float64: complex = DType::Complex128; break;
    default:
      fail(ErrorCode::DTypeMismatch, "view_as_complex needs a float64, float32 or float16 tensor, got ",
           t.describe());
  }
  PT2RUN_CHECK(t.dim() > 0 && t.size(-1) == 2 && t.stride(-1) == 1, InvalidArgument,
               "view_as_complex needs a last dim of size 2 and stride 1, got ", t.describe());
  std::vector<int64_t> sizes = sizes_of(t), strides = strides_of(t);
  sizes.pop_back();
  strides.pop_back();
  for (int64_t& s : strides) {
    PT2RUN_CHECK(s % 2 == 0, InvalidArgument, "view_as_complex: every stride but the last must be even, got ",
                 t.describe());
    s /= 2;
  }
  PT2RUN_CHECK(t.storage_offset() % 2 == 0, InvalidArgument,
               "view_as_complex: the storage offset must be even, got ", t.storage_offset());
  return retyped_view(t, complex, sizes, strides, t.storage_offset() / 2);
}

Tensor permute(const Tensor& t, const std::vector<int64_t>& dims) {
  PT2RUN_CHECK(static_cast<int64_t>(dims.size()) == t.dim(), InvalidArgument, "permute: ", dims.size(),
               " dims for ", t.describe());
  std::vector<int64_t> sizes, strides;
  std::vector<bool> seen(dims.size(), false);
  for (int64_t d : dims) {
    const int64_t w = wrap_dim(d, t.dim(), "permute");
    PT2RUN_CHECK(!seen[static_cast<std::size_t>(w)], InvalidArgument, "permute: dim ", w, " repeats");
    seen[static_cast<std::size_t>(w)] = true;
    sizes.push_back(t.size(w));
    strides.push_back(t.stride(w));
  }
  return t.as_strided(sizes, strides, t.storage_offset());
}

Tensor slice(const Tensor& t, int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end,
             int64_t step) {
  PT2RUN_CHECK(t.dim() > 0, InvalidArgument, "slice() cannot be applied to a 0-dim tensor");
  PT2RUN_CHECK(step > 0, InvalidArgument, "slice: step must be positive, got ", step);
  const int64_t d = wrap_dim(dim, t.dim(), "slice");
  const int64_t size = t.size(d);
  int64_t s = start.value_or(0), e = end.value_or(std::numeric_limits<int64_t>::max());
  if (s < 0) s += size;
  if (e < 0) e += size;
  s = std::clamp<int64_t>(s, 0, size);
  e = std::clamp<int64_t>(e, s, size);
  std::vector<int64_t> sizes = sizes_of(t), strides = strides_of(t);
  sizes[static_cast<std::size_t>(d)] = (e - s + step - 1) / step;
  strides[static_cast<std::size_t>(d)] *= step;
  return t.as_strided(sizes, strides, t.storage_offset() + s * t.stride(d));
}

Tensor narrow(const Tensor& t, int64_t dim, int64_t start, int64_t length) {
  PT2RUN_CHECK(t.dim() > 0, InvalidArgument, "narrow() cannot be applied to a 0-dim tensor");
  const int64_t d = wrap_dim(dim, t.dim(), "narrow");
  const int64_t size = t.size(d);
  PT2RUN_CHECK(start >= -size && start <= size, InvalidArgument, "narrow: start ", start,
               " is out of range for dim ", d, " of ", t.describe());
  if (start < 0) start += size;
  PT2RUN_CHECK(length >= 0 && start <= size - length, InvalidArgument, "narrow: start (", start,
               ") + length (", length, ") exceeds dim ", d, " of ", t.describe());
  return slice(t, d, start, start + length, 1);
}

Tensor squeeze_dim(const Tensor& t, int64_t dim) {
  const int64_t d = wrap_dim(dim, t.dim(), "squeeze");
  std::vector<int64_t> sizes = sizes_of(t), strides = strides_of(t);
  if (t.dim() > 0 && sizes[static_cast<std::size_t>(d)] == 1) {
    sizes.erase(sizes.begin() + d);
    strides.erase(strides.begin() + d);
  }
  return t.as_strided(sizes, strides, t.storage_offset());
}

Tensor unsqueeze(const Tensor& t, int64_t dim) {
  const int64_t d = wrap_dim(dim, t.dim() + 1, "unsqueeze");
  std::vector<int64_t> sizes = sizes_of(t), strides = strides_of(t);
  const int64_t stride = d < t.dim() ? t.size(d) * t.stride(d) : 1;
  sizes.insert(sizes.begin() + d, 1);
  strides.insert(strides.begin() + d, stride);
  return t.as_strided(sizes, strides, t.storage_offset());
}

Tensor transpose(const Tensor& t, int64_t dim0, int64_t dim1) {
  const int64_t a = wrap_dim(dim0, t.dim(), "transpose"), b = wrap_dim(dim1, t.dim(), "transpose");
  std::vector<int64_t> sizes = sizes_of(t), strides = strides_of(t);
  if (t.dim() > 0) {
    std::swap(sizes[static_cast<std::size_t>(a)], sizes[static_cast<std::size_t>(b)]);
    std::swap(strides[static_cast<std::size_t>(a)], strides[static_cast<std::size_t>(b)]);
  }
  return t.as_strided(sizes, strides, t.storage_offset());
}

Tensor select(const Tensor& t, int64_t dim, int64_t index) {
  PT2RUN_CHECK(t.dim() > 0, InvalidArgument, "select() cannot be applied to a 0-dim tensor");
  const int64_t d = wrap_dim(dim, t.dim(), "select");
  const int64_t size = t.size(d);
  PT2RUN_CHECK(index >= -size && index < size, InvalidArgument, "select: index ", index,
               " is out of range for dim ", d, " of ", t.describe());
  if (index < 0) index += size;
  std::vector<int64_t> sizes = sizes_of(t), strides = strides_of(t);
  sizes.erase(sizes.begin() + d);
  strides.erase(strides.begin() + d);
  return t.as_strided(sizes, strides, t.storage_offset() + index * t.stride(d));
}

namespace {

// c10's computeStride: strides viewing t as `shape`, or nullopt when its memory cannot be.
std::optional<std::vector<int64_t>> view_strides(const Tensor& t, const std::vector<int64_t>& shape) {
  std::vector<int64_t> new_strides(shape.size(), 0);
  if (t.numel() == 0) {
    if (shape.empty()) return new_strides;
    return contiguous_strides(shape);
  }
  int64_t view_d = static_cast<int64_t>(shape.size()) - 1;
  // Chunks of dims that are contiguous with each other map to runs of new dims.
  int64_t chunk_base_stride = t.dim() > 0 ? t.stride(-1) : 1;
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    tensor_numel *= t.size(d);
    if (d == 0 || (t.size(d - 1) != 1 && t.stride(d - 1) != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || shape[static_cast<std::size_t>(view_d)] == 1)) {
        new_strides[static_cast<std::size_t>(view_d)] = view_numel * chunk_base_stride;
        view_numel *= shape[static_cast<std::size_t>(view_d)];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (d > 0) {
        chunk_base_stride = t.stride(d - 1);
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return new_strides;
}

}  // namespace

Tensor reshape(const Tensor& t, std::vector<int64_t> shape) {
  int64_t known = 1, infer = -1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      PT2RUN_CHECK(infer < 0, InvalidArgument, "reshape: only one dimension can be -1");
      infer = static_cast<int64_t>(i);
    } else {
      PT2RUN_CHECK(shape[i] >= 0, InvalidArgument, "reshape: invalid size ", shape[i]);
      known *= shape[i];
    }
  }
  if (infer >= 0) {
    PT2RUN_CHECK(known != 0 && t.numel() % known == 0, ShapeMismatch, "reshape: shape is invalid for ",
                 t.describe());
    shape[static_cast<std::size_t>(infer)] = t.numel() / known;
  }
  PT2RUN_CHECK(known * (infer >= 0 ? shape[static_cast<std::size_t>(infer)] : 1) == t.numel(), ShapeMismatch,
               "reshape: shape is invalid for ", t.describe());
  if (auto strides = view_strides(t, shape)) return t.as_strided(shape, *strides, t.storage_offset());
  Tensor copy = t.contiguous();
  return copy.as_strided(shape, contiguous_strides(shape), 0);
}

}  // namespace pt2run::detail
