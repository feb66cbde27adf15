#include "backends/cpu/advanced_index.h"

#include <algorithm>
#include <complex>
#include <cstring>
#include <deque>

#include "backends/cpu/dim_lines.h"
#include "backends/cpu/selection.h"
#include "core/check.h"
#include "core/layout.h"
#include "core/scalar_convert.h"

namespace pt2run::cpu {
namespace {

// The indexed elements of self: the result's shape, and for each result element (row-major)
// its offset in self's storage, in elements from self's data pointer.
struct IndexPlan {
  std::vector<int64_t> sizes;
  std::vector<int64_t> offsets;
  // Self's strides restrided as torch does (0 across the index dims), for the output layout.
  std::vector<int64_t> src_strides;
  // sizes is [before..., broadcast index block..., after...]: the block's elements (0 without
  // an index tensor) and the elements after it (torch CUDA's slice size).
  int64_t indexed = 0;
  int64_t slice = 1;
};

IndexPlan plan_index(const Tensor& self, const std::vector<const Tensor*>& given, const char* op) {
  // Masks become one position tensor per dim they cover.
  std::vector<const Tensor*> dims;
  std::deque<Tensor> owned;  // the masks' position tensors; dims points at them (a deque never moves them)
  for (const Tensor* t : given) {
    if (t && (t->dtype() == DType::Bool || t->dtype() == DType::UInt8)) {
      PT2RUN_CHECK(static_cast<int64_t>(dims.size()) + t->dim() <= self.dim(), InvalidArgument, op,
                   ": too many indices for ", self.describe());
      for (int64_t k = 0; k < t->dim(); ++k)
        PT2RUN_CHECK(t->size(k) == self.size(static_cast<int64_t>(dims.size()) + k), ShapeMismatch, op,
                     ": mask ", t->describe(), " does not match ", self.describe(), " at dim ", dims.size() + k);
      Tensor nz = nonzero(t->to(DType::Bool));  // [count, k]
      for (int64_t k = 0; k < t->dim(); ++k) {
        owned.push_back(nz.as_strided({nz.size(0)}, {nz.stride(0)}, nz.storage_offset() + k * nz.stride(1)));
        dims.push_back(&owned.back());
      }
    } else {
      PT2RUN_CHECK(t == nullptr || t->dtype() == DType::Int64 || t->dtype() == DType::Int32, DTypeMismatch, op,
                   ": index tensors must be int64, int32, bool or uint8, got ", t ? t->describe() : "");
      dims.push_back(t);
    }
  }
  PT2RUN_CHECK(static_cast<int64_t>(dims.size()) <= self.dim(), InvalidArgument, op, ": ", dims.size(),
               " indices for ", self.describe());
  dims.resize(static_cast<std::size_t>(self.dim()), nullptr);
  // Broadcast the position tensors together.
  std::vector<int64_t> bshape;
  int first = -1, last = -1;
  for (std::size_t d = 0; d < dims.size(); ++d) {
    if (!dims[d]) continue;
    if (first < 0) first = static_cast<int>(d);
    last = static_cast<int>(d);
    const Tensor& t = *dims[d];
    std::vector<int64_t> merged(std::max<std::size_t>(bshape.size(), static_cast<std::size_t>(t.dim())));
    for (std::size_t i = 0; i < merged.size(); ++i) {
      const auto from_end = merged.size() - 1 - i;
      const int64_t a = from_end < bshape.size() ? bshape[bshape.size() - 1 - from_end] : 1;
      const int64_t b = static_cast<int64_t>(from_end) < t.dim() ? t.size(t.dim() - 1 - static_cast<int64_t>(from_end)) : 1;
      PT2RUN_CHECK(a == b || a == 1 || b == 1, ShapeMismatch, op, ": index shapes cannot be broadcast together");
      merged[i] = a == 1 ? b : a;
    }
    bshape = merged;
  }
  IndexPlan plan;
  if (first < 0) {  // no index tensor: a copy of self
    plan.sizes = sizes_vector(self);
    plan.src_strides = {self.strides().begin(), self.strides().end()};
  }
  std::vector<std::vector<int64_t>> positions(dims.size());
  int64_t bcount = 1;
  for (int64_t s : bshape) bcount *= s;
  for (std::size_t d = 0; d < dims.size(); ++d) {
    if (!dims[d]) continue;
    Tensor p = detail::expand_to(*dims[d], bshape).to(DType::Int64);
    positions[d].assign(p.data<int64_t>(), p.data<int64_t>() + bcount);
    const int64_t size = self.size(static_cast<int64_t>(d));
    for (int64_t& v : positions[d]) {
      PT2RUN_CHECK(v >= -size && v < size, InvalidArgument, op, ": index ", v, " is out of bounds for dim ", d,
                   " with size ", size);
      if (v < 0) v += size;
    }
  }
  // Index dims side by side keep their place; apart, the broadcast dims go first (torch).
  bool adjacent = true;
  for (int d = first; d <= last && first >= 0; ++d) adjacent = adjacent && dims[static_cast<std::size_t>(d)];
  std::vector<int64_t> before, after;  // self's dims around the broadcast block
  for (std::size_t d = 0; d < dims.size() && first >= 0; ++d) {
    if (dims[d]) continue;
    if (adjacent && static_cast<int>(d) < first) before.push_back(static_cast<int64_t>(d));
    else after.push_back(static_cast<int64_t>(d));
  }
  if (first >= 0) {
    for (int64_t d : before) plan.sizes.push_back(self.size(d)), plan.src_strides.push_back(self.stride(d));
    for (int64_t s : bshape) plan.sizes.push_back(s), plan.src_strides.push_back(0);
    for (int64_t d : after) plan.sizes.push_back(self.size(d)), plan.src_strides.push_back(self.stride(d));
    plan.indexed = bcount;
    for (int64_t d : after) plan.slice *= self.size(d);
  }
  int64_t total = 1;
  for (int64_t s : plan.sizes) total *= s;
  plan.offsets.resize(static_cast<std::size_t>(total));
  const auto nb = static_cast<int64_t>(before.size()), nx = static_cast<int64_t>(bshape.size());
  std::vector<int64_t> coord(plan.sizes.size(), 0);
  for (int64_t e = 0; e < total; ++e) {
    int64_t offset = 0;
    if (first < 0) {
      for (std::size_t i = 0; i < coord.size(); ++i) offset += coord[i] * self.stride(static_cast<int64_t>(i));
    } else {
      int64_t b = 0;  // the element of the broadcast block
      for (int64_t i = 0; i < nx; ++i) b = b * bshape[static_cast<std::size_t>(i)] + coord[static_cast<std::size_t>(nb + i)];
      for (std::size_t d = 0; d < dims.size(); ++d)
        if (dims[d]) offset += positions[d][static_cast<std::size_t>(b)] * self.stride(static_cast<int64_t>(d));
      for (int64_t i = 0; i < nb; ++i) offset += coord[static_cast<std::size_t>(i)] * self.stride(before[static_cast<std::size_t>(i)]);
      for (std::size_t i = 0; i < after.size(); ++i)
        offset += coord[static_cast<std::size_t>(nb + nx) + i] * self.stride(after[i]);
    }
    plan.offsets[static_cast<std::size_t>(e)] = offset;
    for (auto i = static_cast<int64_t>(coord.size()) - 1; i >= 0; --i) {
      if (++coord[static_cast<std::size_t>(i)] < plan.sizes[static_cast<std::size_t>(i)]) break;
      coord[static_cast<std::size_t>(i)] = 0;
    }
  }
  return plan;
}

// accumulate=True in torch CUDA's order (AccumulateOrder::cuda_sorted), for slices of at most
// one warp: `add` is the op type's addition, `store` rounds to the tensor's type.
template <typename T, typename Add, typename Store>
void accumulate_cuda_sorted(T* acc, const T* values, const IndexPlan& plan, Add add, Store store) {
  constexpr int kWarp = 32;
  const int64_t ni = plan.indexed, na = plan.slice;
  const int64_t nz = static_cast<int64_t>(plan.offsets.size()) / std::max<int64_t>(ni * na, 1);
  // Index positions grouped by destination, each group in ascending position: what a stable
  // sort by destination gives (the same for every outer and slice element).
  std::vector<int64_t> order(static_cast<std::size_t>(ni));
  for (int64_t i = 0; i < ni; ++i) order[static_cast<std::size_t>(i)] = i;
  const auto dest = [&](int64_t z, int64_t i, int64_t f) { return (z * ni + i) * na + f; };
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return plan.offsets[static_cast<std::size_t>(dest(0, a, 0))] < plan.offsets[static_cast<std::size_t>(dest(0, b, 0))];
  });
  std::vector<T> lanes(kWarp);
  for (std::size_t start = 0; start < order.size();) {
    std::size_t end = start + 1;
    const auto key = plan.offsets[static_cast<std::size_t>(dest(0, order[start], 0))];
    while (end < order.size() && plan.offsets[static_cast<std::size_t>(dest(0, order[end], 0))] == key) ++end;
    const auto n = static_cast<int64_t>(end - start);
    for (int64_t z = 0; z < nz; ++z) {
      for (int64_t f = 0; f < na; ++f) {
        const auto value = [&](int64_t k) {
          return values[dest(z, order[start + static_cast<std::size_t>(k)], f)];
        };
        T sum{};
        int64_t k = 0;
        if (na == 1) {
          // indexing_backward_kernel_stride_1: lane l sums duplicates l, l + 32, ...; then a
          // shuffle-down tree; lane 0 adds what is left over.
          std::fill(lanes.begin(), lanes.end(), T{});
          for (; k + kWarp <= n; k += kWarp)
            for (int l = 0; l < kWarp; ++l) lanes[static_cast<std::size_t>(l)] = add(lanes[static_cast<std::size_t>(l)], value(k + l));
          for (int offset = kWarp / 2; offset > 0; offset /= 2)
            for (int l = 0; l + offset < kWarp; ++l)
              lanes[static_cast<std::size_t>(l)] = add(lanes[static_cast<std::size_t>(l)], lanes[static_cast<std::size_t>(l + offset)]);
          sum = lanes[0];
        }
        for (; k < n; ++k) sum = add(sum, value(k));
        T& a = acc[plan.offsets[static_cast<std::size_t>(dest(z, order[start], f))]];
        a = store(add(a, sum));
      }
    }
    start = end;
  }
}

}  // namespace

Tensor index(const Tensor& self, const std::vector<const Tensor*>& indices) {
  PT2RUN_CHECK(self.device().type == DeviceType::CPU, DeviceMismatch, "index: needs a CPU tensor, got ",
               self.describe());
  IndexPlan plan = plan_index(self, indices, "index");
  const std::vector<int64_t> strides =
      self.numel() == 0 ? contiguous_strides(plan.sizes)
                        : detail::iterator_output_strides(plan.sizes, {std::span<const int64_t>(plan.src_strides)});
  Tensor out = Tensor::empty_strided(plan.sizes, strides, self.dtype());
  Tensor dense = Tensor::empty(plan.sizes, self.dtype());
  const std::size_t item = self.element_size();
  const auto* src = static_cast<const char*>(self.data_ptr());
  auto* dst = static_cast<char*>(dense.data_ptr());
  for (std::size_t e = 0; e < plan.offsets.size(); ++e)
    std::memcpy(dst + e * item, src + plan.offsets[e] * static_cast<int64_t>(item), item);
  out.copy_(dense);
  return out;
}

void index_put(const Tensor& out, const Tensor& self, const std::vector<const Tensor*>& indices,
               const Tensor& values, bool accumulate, AccumulateOrder order) {
  PT2RUN_CHECK(self.device().type == DeviceType::CPU && out.device().type == DeviceType::CPU, DeviceMismatch,
               "index_put: needs CPU tensors, got ", self.describe());
  PT2RUN_CHECK(std::equal(out.sizes().begin(), out.sizes().end(), self.sizes().begin(), self.sizes().end()),
               ShapeMismatch, "index_put: out ", out.describe(), " must have self's shape ", self.describe());
  Tensor o = out;
  if (!out.shares_storage_with(self) || out.data_ptr() != self.data_ptr()) o.copy_(self);
  if (!accumulate) {
    // Offsets are planned on out, where the values go.
    const IndexPlan plan = plan_index(out, indices, "index_put");
    Tensor dense = detail::expand_to(values, plan.sizes).to(out.dtype());
    const std::size_t item = out.element_size();
    const auto* src = static_cast<const char*>(dense.data_ptr());
    auto* dst = static_cast<char*>(out.data_ptr());
    for (std::size_t e = 0; e < plan.offsets.size(); ++e)
      std::memcpy(dst + plan.offsets[e] * static_cast<int64_t>(item), src + e * item, item);
    return;
  }
  // Accumulate as torch's CPU kernel does: one value after another in the values' row-major
  // order, each sum rounded to the tensor's own type (float32 adds float32, half rounds to half
  // after every add), so duplicate indices sum to torch's numbers, not more precise ones.
  // Planned on a contiguous copy of out in a type the loop can add.
  const DType t = out.dtype();
  const bool narrow = t == DType::Float16 || t == DType::BFloat16;
  PT2RUN_CHECK(!is_floating_point(t) || narrow || t == DType::Float32 || t == DType::Float64, DTypeMismatch,
               "index_put with accumulate=True: ", out.describe(),
               " has no accumulating add here; it takes float64, float32, float16, bfloat16, complex, integer and "
               "bool tensors");
  const DType work = narrow                       ? DType::Float32
                     : is_complex(t)                ? DType::Complex128
                     : is_floating_point(t)         ? t
                                                    : DType::Int64;
  Tensor acc = out.to(work);
  const IndexPlan plan = plan_index(acc, indices, "index_put");
  Tensor wv = detail::expand_to(values, plan.sizes).to(work);
  const auto round_narrow = [t](float v) {
    return t == DType::Float16 ? detail::half_to_float(detail::float_to_half(v))
                               : detail::bf16_to_float(detail::float_to_bf16(v));
  };
  const auto add_all = [&]<typename T>(T* a, const T* v) {
    for (std::size_t e = 0; e < plan.offsets.size(); ++e) a[plan.offsets[e]] += v[e];
  };
  if (order == AccumulateOrder::cuda_sorted && plan.indexed > 0 && plan.slice <= 32) {
    const auto plus = [](auto a, auto b) { return a + b; };
    const auto same = [](auto a) { return a; };
    switch (work) {
      case DType::Float32:
        accumulate_cuda_sorted(acc.data<float>(), wv.data<float>(), plan, plus,
                               [&](float v) { return narrow ? round_narrow(v) : v; });
        break;
      case DType::Float64: accumulate_cuda_sorted(acc.data<double>(), wv.data<double>(), plan, plus, same); break;
      case DType::Complex128: {
        // complex64's op type is complex<float>: each component's sum rounds to float.
        const auto to_t = [t](std::complex<double> z) {
          if (t == DType::Complex128) return z;
          const auto r = [t](double v) {
            return t == DType::Complex64 ? static_cast<double>(static_cast<float>(v))
                                         : static_cast<double>(detail::half_to_float(
                                               detail::float_to_half(static_cast<float>(v))));
          };
          return std::complex<double>(r(z.real()), r(z.imag()));
        };
        // complex32's op type is complex<float>: its sums round to float, the store to half.
        const auto add_c = [&](std::complex<double> a, std::complex<double> b) {
          const std::complex<double> s = a + b;
          if (t == DType::Complex128) return s;
          return std::complex<double>(static_cast<float>(s.real()), static_cast<float>(s.imag()));
        };
        accumulate_cuda_sorted(reinterpret_cast<std::complex<double>*>(acc.data<double>()),
                               reinterpret_cast<const std::complex<double>*>(wv.data<double>()), plan, add_c, to_t);
        break;
      }
      default: accumulate_cuda_sorted(acc.data<int64_t>(), wv.data<int64_t>(), plan, plus, same); break;
    }
    o.copy_(acc);
    return;
  }
  switch (work) {
    case DType::Float32:
      if (narrow) {
        for (std::size_t e = 0; e < plan.offsets.size(); ++e) {
          float& a = acc.data<float>()[plan.offsets[e]];
          a = round_narrow(a + wv.data<float>()[e]);
        }
      } else {
        add_all(acc.data<float>(), wv.data<float>());
      }
      break;
    case DType::Float64: add_all(acc.data<double>(), wv.data<double>()); break;
    case DType::Complex128: {
      // complex64 (complex32) sums round to float (half) per component, as torch's
      // complex<float> (complex<Half>) does.
      auto* a = acc.data<double>();
      const auto* v = wv.data<double>();
      for (std::size_t e = 0; e < plan.offsets.size(); ++e) {
        const int64_t at = plan.offsets[e];
        for (int k = 0; k < 2; ++k) {
          const double sum = a[2 * at + k] + v[2 * e + k];
          a[2 * at + k] = t == DType::Complex64   ? static_cast<double>(static_cast<float>(sum))
                          : t == DType::Complex32 ? static_cast<double>(detail::half_to_float(
                                                        detail::float_to_half(static_cast<float>(sum))))
                                                  : sum;
        }
      }
      break;
    }
    default:
      // Integers: an int64 sum stored back wraps as adding in the type does; bool ORs.
      add_all(acc.data<int64_t>(), wv.data<int64_t>());
      break;
  }
  o.copy_(acc);
}

}  // namespace pt2run::cpu
