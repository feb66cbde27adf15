#include "backends/cpu/scatter.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "backends/cpu/index_walk.h"
#include "core/check.h"
#include "core/layout.h"
#include "core/views.h"

namespace pt2run::cpu {
namespace {

char* bytes(const Tensor& t) { return static_cast<char*>(t.data_ptr()); }

}  // namespace

void scatter(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  PT2RUN_CHECK(index.dtype() == DType::Int64, DTypeMismatch, "scatter: index must be int64, got ", index.describe());
  PT2RUN_CHECK(src.dtype() == self.dtype() && out.dtype() == self.dtype(), DTypeMismatch,
               "scatter: self, src and out need one dtype, got ", self.describe(), ", ", src.describe(), ", ",
               out.describe());
  PT2RUN_CHECK(std::equal(out.sizes().begin(), out.sizes().end(), self.sizes().begin(), self.sizes().end()),
               ShapeMismatch, "scatter: out ", out.describe(), " must have self's shape ", self.describe());
  const int64_t rank = std::max<int64_t>(self.dim(), 1);
  const int64_t d = detail::wrap_dim(dim, rank, "scatter");
  const bool scalar_src = src.dim() == 0;
  PT2RUN_CHECK(index.dim() == self.dim() && (scalar_src || src.dim() == self.dim()), ShapeMismatch,
               "scatter: index ", index.describe(), " and src ", src.describe(), " need the rank of self ",
               self.describe());
  for (int64_t k = 0; k < index.dim(); ++k)
    PT2RUN_CHECK((k == d || index.size(k) <= self.size(k)) && (scalar_src || index.size(k) <= src.size(k)),
                 ShapeMismatch, "scatter: index ", index.describe(), " is larger than self ", self.describe(),
                 " or src ", src.describe(), " in dim ", k);
  if (!out.shares_storage_with(self) || out.data_ptr() != self.data_ptr()) {
    Tensor o = out;
    o.copy_(self);
  }
  const auto es = static_cast<int64_t>(self.element_size());
  for_each_index(detail::sizes_of(index), [&](int64_t, const std::vector<int64_t>& pos) {
    const int64_t target = index.data<int64_t>()[offset_of(index, pos)];
    PT2RUN_CHECK(target >= -self.size(d) && target < self.size(d), InvalidArgument, "scatter: index ", target,
                 " is out of range for dim ", d, " of ", self.describe());
    std::vector<int64_t> at = pos;
    if (self.dim() > 0) at[static_cast<std::size_t>(d)] = target < 0 ? target + self.size(d) : target;
    const char* from = scalar_src ? bytes(src) : bytes(src) + offset_of(src, pos) * es;
    std::memcpy(bytes(out) + offset_of(out, at) * es, from, static_cast<std::size_t>(es));
  });
}

Tensor masked_scatter(const Tensor& self, const Tensor& mask, const Tensor& source) {
  PT2RUN_CHECK(mask.dtype() == DType::Bool, DTypeMismatch, "masked_scatter: mask must be bool, got ",
               mask.describe());
  PT2RUN_CHECK(source.dtype() == self.dtype(), DTypeMismatch, "masked_scatter: source ", source.describe(),
               " needs self's dtype ", self.describe());
  // Broadcast together (torch's expand_outplace): the result has the common shape.
  const std::vector<int64_t> sizes = detail::broadcast_sizes(self, mask);
  const Tensor es = detail::expand_to(self, sizes), em = detail::expand_to(mask, sizes);
  // torch clones the expanded self contiguously here.
  Tensor out = Tensor::empty(sizes, self.dtype());
  out.copy_(es);
  const Tensor src = source.contiguous();
  const auto n = static_cast<int64_t>(self.element_size());
  int64_t next = 0;
  for_each_index(sizes, [&](int64_t, const std::vector<int64_t>& pos) {
    if (!em.data<bool>()[offset_of(em, pos)]) return;
    PT2RUN_CHECK(next < src.numel(), ShapeMismatch, "masked_scatter: source ", source.describe(),
                 " has fewer elements than the mask selects");
    std::memcpy(bytes(out) + offset_of(out, pos) * n, bytes(src) + next * n, static_cast<std::size_t>(n));
    ++next;
  });
  return out;
}

Tensor index_reduce(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                    std::string_view reduce, bool include_self) {
  enum { Prod, Mean, Max, Min } op;
  if (reduce == "prod") op = Prod;
  else if (reduce == "mean") op = Mean;
  else if (reduce == "amax") op = Max;
  else if (reduce == "amin") op = Min;
  else detail::fail(ErrorCode::InvalidArgument, "index_reduce: reduce must be prod, mean, amax or amin, got '",
                    reduce, "'");
  PT2RUN_CHECK(is_floating_point(self.dtype()) || (!is_complex(self.dtype()) && self.dtype() != DType::Bool),
               DTypeMismatch, "index_reduce: unsupported dtype in ", self.describe());
  PT2RUN_CHECK(source.dtype() == self.dtype(), DTypeMismatch, "index_reduce: source ", source.describe(),
               " needs self's dtype ", self.describe());
  PT2RUN_CHECK(index.dim() <= 1 && (index.dtype() == DType::Int64 || index.dtype() == DType::Int32), InvalidArgument,
               "index_reduce: index must be a 1-d int64 or int32 tensor, got ", index.describe());
  const int64_t rank = std::max<int64_t>(self.dim(), 1);
  const int64_t d = detail::wrap_dim(dim, rank, "index_reduce");
  const int64_t n_index = index.numel();
  PT2RUN_CHECK(source.dim() == self.dim() && (self.dim() == 0 ? n_index == 1 : source.size(d) == n_index),
               ShapeMismatch, "index_reduce: source ", source.describe(), " must match self ", self.describe(),
               " with dim ", d, " of the index's length ", n_index);
  for (int64_t k = 0; k < self.dim(); ++k)
    PT2RUN_CHECK(k == d || source.size(k) == self.size(k), ShapeMismatch, "index_reduce: source ",
                 source.describe(), " and self ", self.describe(), " differ in dim ", k);
  const Tensor idx = index.to(DType::Int64);
  Tensor acc = self.to(DType::Float64);  // contiguous
  Tensor src = source.to(DType::Float64);
  const std::vector<int64_t> sizes = detail::sizes_of(acc);
  std::vector<int64_t> count(static_cast<std::size_t>(acc.numel()), include_self ? 1 : 0);
  const bool integral = !is_floating_point(self.dtype());
  const double lowest = integral ? -std::numeric_limits<double>::max() : -std::numeric_limits<double>::infinity();
  const double identity = op == Prod ? 1.0 : op == Mean ? 0.0 : op == Max ? lowest : -lowest;
  const std::vector<int64_t> src_sizes = detail::sizes_of(src);
  auto target_of = [&](const std::vector<int64_t>& pos) {
    const int64_t i = self.dim() == 0 ? 0 : pos[static_cast<std::size_t>(d)];
    int64_t t = idx.data<int64_t>()[i];
    const int64_t extent = self.dim() == 0 ? 1 : self.size(d);
    PT2RUN_CHECK(t >= -extent && t < extent, InvalidArgument, "index_reduce: index ", t, " is out of range for dim ",
                 d, " of ", self.describe());
    std::vector<int64_t> at = pos;
    if (self.dim() > 0) at[static_cast<std::size_t>(d)] = t < 0 ? t + extent : t;
    return offset_of(acc, at);
  };
  if (!include_self)
    for_each_index(src_sizes, [&](int64_t, const std::vector<int64_t>& pos) { acc.data<double>()[target_of(pos)] = identity; });
  for_each_index(src_sizes, [&](int64_t e, const std::vector<int64_t>& pos) {
    const int64_t at = target_of(pos);
    double& t = acc.data<double>()[at];
    const double v = src.data<double>()[e];
    switch (op) {
      case Prod: t *= v; break;
      case Mean: t += v; break;
      case Max: t = std::isnan(v) || v > t ? v : t; break;
      case Min: t = std::isnan(v) || v < t ? v : t; break;
    }
    ++count[static_cast<std::size_t>(at)];
  });
  if (op == Mean)
    for (int64_t i = 0; i < acc.numel(); ++i) {
      const double c = static_cast<double>(std::max<int64_t>(count[static_cast<std::size_t>(i)], 1));
      double& t = acc.data<double>()[i];
      t = integral ? std::floor(t / c) : t / c;
    }
  Tensor out = detail::empty_like(self, self.dtype());
  out.copy_(acc);
  return out;
}

}  // namespace pt2run::cpu
