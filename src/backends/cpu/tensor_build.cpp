#include "backends/cpu/tensor_build.h"

#include <cmath>
#include <complex>
#include <cstring>
#include <limits>

#include "backends/cpu/elementwise.h"
#include "backends/cpu/index_walk.h"
#include "core/check.h"
#include "core/layout.h"
#include "core/views.h"

namespace pt2run::cpu {
namespace {

// An empty tensor of `sizes` laid out channels-last when `like` suggests it, else contiguous.
Tensor empty_in_format_of(const Tensor& like, const std::vector<int64_t>& sizes, DType dtype) {
  if (detail::suggests_channels_last(like) && sizes.size() == static_cast<std::size_t>(like.dim()))
    return Tensor::empty_strided(sizes, detail::channels_last_strides(sizes), dtype);
  return Tensor::empty(sizes, dtype);
}

}  // namespace

Tensor cat(const std::vector<const Tensor*>& inputs, int64_t dim) {
  PT2RUN_CHECK(!inputs.empty(), InvalidArgument, "cat needs at least one tensor");
  std::vector<const Tensor*> used;
  DType dtype = inputs.front()->dtype();
  bool first = true;
  for (const Tensor* t : inputs) {
    PT2RUN_CHECK(t != nullptr && t->defined(), InvalidArgument, "cat: an input tensor is undefined");
    PT2RUN_CHECK(t->device().type == DeviceType::CPU, DeviceMismatch, "cat: needs CPU tensors, got ", t->describe());
    dtype = first ? t->dtype() : promote(Tensor::empty({1}, dtype), Tensor::empty({1}, t->dtype()));
    first = false;
    // torch's legacy rule: a 1-d tensor of size 0 joins anything.
    if (!(t->dim() == 1 && t->size(0) == 0)) used.push_back(t);
  }
  if (used.empty()) return Tensor::empty({0}, dtype);
  const Tensor& ref = *used.front();
  PT2RUN_CHECK(ref.dim() > 0, InvalidArgument, "cat: zero-dimensional tensor ", ref.describe(), " cannot be joined");
  const int64_t d = detail::wrap_dim(dim, ref.dim(), "cat");
  std::vector<int64_t> sizes = detail::sizes_of(ref);
  sizes[static_cast<std::size_t>(d)] = 0;
  bool all_channels_last = true;
  for (const Tensor* t : used) {
    PT2RUN_CHECK(t->dim() == ref.dim(), ShapeMismatch, "cat: tensors must have the same rank, got ", ref.describe(),
                 " and ", t->describe());
    for (int64_t i = 0; i < ref.dim(); ++i)
      PT2RUN_CHECK(i == d || t->size(i) == ref.size(i), ShapeMismatch, "cat: sizes of ", ref.describe(), " and ",
                   t->describe(), " differ outside dim ", d);
    sizes[static_cast<std::size_t>(d)] += t->size(d);
    all_channels_last = all_channels_last && detail::suggests_channels_last(*t);
  }
  Tensor out = all_channels_last ? Tensor::empty_strided(sizes, detail::channels_last_strides(sizes), dtype)
                                 : Tensor::empty(sizes, dtype);
  int64_t at = 0;
  for (const Tensor* t : used) {
    if (t->size(d) > 0) detail::narrow(out, d, at, t->size(d)).copy_(*t);
    at += t->size(d);
  }
  return out;
}

Tensor pad(const Tensor& input, const std::vector<int64_t>& pad, std::string_view mode, const double* value) {
  PT2RUN_CHECK(pad.size() % 2 == 0 && static_cast<int64_t>(pad.size()) / 2 <= input.dim(), InvalidArgument,
               "pad: ", pad.size(), " pad values for ", input.describe(),
               " (want pairs, at most two per dim of the input)");
  const bool constant = mode == "constant";
  PT2RUN_CHECK(constant || mode == "reflect" || mode == "replicate" || mode == "circular", InvalidArgument,
               "pad: mode '", mode, "' is not one of constant, reflect, replicate, circular");
  PT2RUN_CHECK(constant || value == nullptr || *value == 0, InvalidArgument, "pad: mode '", mode,
               "' takes no fill value");
  const int64_t padded = static_cast<int64_t>(pad.size()) / 2;
  PT2RUN_CHECK(constant || (input.dim() >= padded + 1 && input.dim() <= padded + 2), InvalidArgument, "pad: mode '",
               mode, "' pads the last 1-3 dims of a tensor with one or two dims more, got ", padded, " for ",
               input.describe());
  std::vector<int64_t> sizes = detail::sizes_of(input);
  // map[d][i]: the input index output index i reads along dim d, or -1 for the fill value.
  std::vector<std::vector<int64_t>> map(sizes.size());
  for (int64_t d = 0; d < input.dim(); ++d) {
    const int64_t k = input.dim() - 1 - d;  // pair index from the back
    const int64_t before = k < padded ? pad[static_cast<std::size_t>(2 * k)] : 0;
    const int64_t after = k < padded ? pad[static_cast<std::size_t>(2 * k + 1)] : 0;
    const int64_t n = input.size(d), out_n = n + before + after;
    PT2RUN_CHECK(out_n >= 0, InvalidArgument, "pad: padding ", before, ", ", after, " of dim ", d, " of ",
                 input.describe(), " leaves a negative size");
    if (mode == "reflect")
      PT2RUN_CHECK(before < n && after < n, InvalidArgument, "pad: reflect padding (", before, ", ", after,
                   ") must be smaller than dim ", d, " of ", input.describe());
    if (mode == "circular")
      PT2RUN_CHECK(before <= n && after <= n, InvalidArgument, "pad: circular padding (", before, ", ", after,
                   ") must not exceed dim ", d, " of ", input.describe());
    if (!constant) PT2RUN_CHECK(n > 0 || (before == 0 && after == 0), InvalidArgument, "pad: cannot ", mode,
                                "-pad the empty dim ", d, " of ", input.describe());
    auto& m = map[static_cast<std::size_t>(d)];
    m.resize(static_cast<std::size_t>(out_n));
    for (int64_t i = 0; i < out_n; ++i) {
      int64_t j = i - before;
      if (j < 0 || j >= n) {
        if (constant) j = -1;
        else if (mode == "reflect") j = j < 0 ? -j : 2 * (n - 1) - j;
        else if (mode == "replicate") j = j < 0 ? 0 : n - 1;
        else j = ((j % n) + n) % n;
      }
      m[static_cast<std::size_t>(i)] = j;
    }
    sizes[static_cast<std::size_t>(d)] = out_n;
  }
  Tensor out = mode == "circular" ? Tensor::empty(sizes, input.dtype()) : empty_in_format_of(input, sizes, input.dtype());
  const std::size_t es = input.element_size();
  const Tensor fill_value = detail::scalar_tensor(value ? *value : 0.0, input.dtype());
  const auto* src = static_cast<const char*>(input.data_ptr());
  auto* dst = static_cast<char*>(out.data_ptr());
  const auto* fill_bytes = static_cast<const char*>(fill_value.data_ptr());
  for_each_index(out.sizes(), [&](int64_t, const std::vector<int64_t>& index) {
    const int64_t offset = offset_of(out, index);
    int64_t from = 0;
    for (std::size_t d = 0; d < index.size(); ++d) {
      const int64_t j = map[d][static_cast<std::size_t>(index[d])];
      if (j < 0) {
        std::memcpy(dst + offset * static_cast<int64_t>(es), fill_bytes, es);
        return;
      }
      from += j * input.stride(static_cast<int64_t>(d));
    }
    std::memcpy(dst + offset * static_cast<int64_t>(es), src + from * static_cast<int64_t>(es), es);
  });
  return out;
}

void fill(const Tensor& t, double value) {
  PT2RUN_CHECK(t.device().type == DeviceType::CPU, DeviceMismatch, "fill_: needs a CPU tensor, got ", t.describe());
  Tensor target = t;
  target.copy_(detail::expand_to(detail::scalar_tensor(value, t.dtype()), t.sizes()));
}

Tensor full(const std::vector<int64_t>& sizes, double value, DType dtype) {
  for (int64_t s : sizes) PT2RUN_CHECK(s >= 0, InvalidArgument, "full: negative size ", s);
  Tensor out = Tensor::empty(sizes, dtype);
  fill(out, value);
  return out;
}

Tensor amax(const Tensor& input, const std::vector<int64_t>& dims, bool keepdim) {
  PT2RUN_CHECK(!is_complex(input.dtype()), DTypeMismatch, "amax: complex tensors have no order, got ",
               input.describe());
  std::vector<bool> reduced(static_cast<std::size_t>(input.dim()), dims.empty());
  for (int64_t d : dims) {
    const auto w = static_cast<std::size_t>(detail::wrap_dim(d, std::max<int64_t>(input.dim(), 1), "amax"));
    if (input.dim() == 0) continue;
    PT2RUN_CHECK(!reduced[w], InvalidArgument, "amax: dim ", d, " appears twice");
    reduced[w] = true;
  }
  std::vector<int64_t> kept_sizes, out_sizes;
  for (int64_t d = 0; d < input.dim(); ++d) {
    const bool r = reduced[static_cast<std::size_t>(d)];
    PT2RUN_CHECK(!r || input.size(d) > 0, InvalidArgument, "amax: dim ", d, " of ", input.describe(),
                 " is empty and has no maximum");
    kept_sizes.push_back(r ? 1 : input.size(d));
    if (!r || keepdim) out_sizes.push_back(r ? 1 : input.size(d));
  }
  // Integers compare exactly in int64; everything else in double.
  const bool integral = !is_floating_point(input.dtype());
  const Tensor work = input.to(integral ? DType::Int64 : DType::Float64);
  const int64_t kept_numel = [&] {
    int64_t n = 1;
    for (int64_t s : kept_sizes) n *= s;
    return n;
  }();
  Tensor result = Tensor::empty(kept_sizes, work.dtype());
  std::vector<bool> seen(static_cast<std::size_t>(kept_numel), false);
  const std::vector<int64_t> rstrides = contiguous_strides(kept_sizes);
  for_each_index(work.sizes(), [&](int64_t i, const std::vector<int64_t>& index) {
    int64_t o = 0;
    for (std::size_t d = 0; d < index.size(); ++d)
      if (!reduced[d]) o += index[d] * rstrides[d];
    const auto uo = static_cast<std::size_t>(o);
    if (integral) {
      const int64_t x = work.data<int64_t>()[i];
      int64_t& m = result.data<int64_t>()[o];
      if (!seen[uo] || x > m) m = x;
    } else {
      const double x = work.data<double>()[i];
      double& m = result.data<double>()[o];
      if (!seen[uo] || x > m || std::isnan(x)) m = std::isnan(m) && seen[uo] ? m : x;
    }
    seen[uo] = true;
  });
  return result.to(input.dtype()).as_strided(out_sizes, contiguous_strides(out_sizes), 0).clone();
}

Tensor nonzero_static(const Tensor& input, int64_t size, int64_t fill_value) {
  PT2RUN_CHECK(size >= 0, InvalidArgument, "nonzero_static: size must be >= 0, got ", size);
  const int64_t rank = input.dim();
  Tensor out = Tensor::empty({size, rank}, DType::Int64);
  int64_t* po = out.data<int64_t>();
  for (int64_t i = 0; i < size * rank; ++i) po[i] = fill_value;
  const Tensor values = input.to(is_complex(input.dtype()) ? DType::Complex128 : DType::Float64);
  int64_t row = 0;
  for_each_index(values.sizes(), [&](int64_t i, const std::vector<int64_t>& index) {
    if (row >= size) return;
    const bool nz = is_complex(input.dtype())
                        ? values.data<std::complex<double>>()[i] != std::complex<double>(0, 0)
                        : values.data<double>()[i] != 0;
    if (!nz) return;
    for (int64_t d = 0; d < rank; ++d) po[row * rank + d] = index[static_cast<std::size_t>(d)];
    ++row;
  });
  return out;
}

}  // namespace pt2run::cpu
