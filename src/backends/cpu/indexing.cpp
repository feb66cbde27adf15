#include "backends/cpu/indexing.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "backends/cpu/dim_lines.h"
#include "core/check.h"

namespace pt2run::cpu {
namespace {

std::vector<int64_t> int_values(const Tensor& t) {
  Tensor i = t.to(DType::Int64);
  return {i.data<int64_t>(), i.data<int64_t>() + i.numel()};
}

Tensor from_doubles(const Tensor& work, DType dtype) {
  Tensor out = Tensor::empty(sizes_vector(work), dtype);
  out.copy_(work);
  return out;
}

}  // namespace

EmbeddingBagResult embedding_bag(const Tensor& weight, const Tensor& indices, const Tensor& offsets,
                                 int64_t mode, const Tensor* per_sample_weights,
                                 bool include_last_offset, int64_t padding_idx) {
  PT2RUN_CHECK(weight.dim() == 2, InvalidArgument, "embedding_bag: weight must be 2-D, got ", weight.describe());
  PT2RUN_CHECK(indices.dim() == 1 && offsets.dim() == 1, InvalidArgument,
               "embedding_bag: indices and offsets must be 1-D, got ", indices.describe(), " and ",
               offsets.describe());
  PT2RUN_CHECK(mode >= 0 && mode <= 2, InvalidArgument, "embedding_bag: unknown mode ", mode);
  PT2RUN_CHECK(per_sample_weights == nullptr || mode == 0, InvalidArgument,
               "embedding_bag: per_sample_weights only work with mode='sum'");
  const int64_t rows = weight.size(0), width = weight.size(1);
  const std::vector<int64_t> idx = int_values(indices);
  std::vector<int64_t> starts = int_values(offsets);
  const auto n = static_cast<int64_t>(idx.size());
  // With include_last_offset torch counts the last bag (bag_size, offset2bag, max) to the end
  // of indices but sums (and averages) only up to the last offset: `summed_end` keeps it.
  int64_t summed_end = n;
  if (include_last_offset && !starts.empty()) {
    summed_end = std::clamp<int64_t>(starts.back(), 0, n);
    starts.back() = n;
  } else {
    starts.push_back(n);
  }
  const int64_t bags = static_cast<int64_t>(starts.size()) - 1;
  PT2RUN_CHECK(bags >= 0, InvalidArgument, "embedding_bag: include_last_offset needs at least one offset");
  Tensor w = weight.to(DType::Float64);
  std::vector<double> psw;
  if (per_sample_weights) {
    PT2RUN_CHECK(per_sample_weights->numel() == n, ShapeMismatch, "embedding_bag: per_sample_weights ",
                 per_sample_weights->describe(), " must have one weight per index (", n, ")");
    Tensor p = per_sample_weights->to(DType::Float64);
    psw.assign(p.data<double>(), p.data<double>() + n);
  }
  Tensor out = Tensor::zeros({bags, width}, DType::Float64);
  // torch's outputs besides the result are what its backward needs, so their contents depend
  // on the mode: sum fills bag_size with zeros, and on its fast path (float32/16, bf16 rows
  // with unit stride, no padding index) leaves offset2bag empty; mean's max_indices repeats
  // bag_size; max's names the chosen row (0 in an empty bag).
  const bool sum_fast_path = mode == 0 && padding_idx < 0 && weight.stride(1) == 1 &&
                             (weight.dtype() == DType::Float32 || weight.dtype() == DType::Float16 ||
                              weight.dtype() == DType::BFloat16);
  EmbeddingBagResult r;
  r.offset2bag = Tensor::zeros({sum_fast_path ? 0 : n}, DType::Int64);
  r.bag_size = Tensor::zeros({bags}, DType::Int64);
  r.max_indices = mode == 2 ? Tensor::zeros({bags, width}, DType::Int64) : Tensor::zeros({bags}, DType::Int64);
  for (int64_t b = 0; b < bags; ++b) {
    const int64_t begin = std::clamp<int64_t>(starts[static_cast<std::size_t>(b)], 0, n);
    const int64_t end = std::clamp<int64_t>(starts[static_cast<std::size_t>(b) + 1], begin, n);
    double* o = out.data<double>() + b * width;
    int64_t counted = 0;
    for (int64_t j = begin; j < end; ++j) {
      if (!sum_fast_path) r.offset2bag.data<int64_t>()[j] = b;
      const int64_t row = idx[static_cast<std::size_t>(j)];
      PT2RUN_CHECK(row >= 0 && row < rows, InvalidArgument, "embedding_bag: index ", row,
                   " is out of range for ", rows, " rows");
      if (row == padding_idx) continue;
      const double* src = w.data<double>() + row * width;
      const double scale = psw.empty() ? 1.0 : psw[static_cast<std::size_t>(j)];
      for (int64_t d = 0; d < width; ++d) {
        if (mode == 2) {
          if (counted == 0 || src[d] > o[d]) {
            o[d] = src[d];
            r.max_indices.data<int64_t>()[b * width + d] = row;
          }
        } else if (b + 1 < bags || j < summed_end) {
          o[d] += scale * src[d];
        }
      }
      ++counted;
    }
    if (mode == 1 && counted > 0)
      for (int64_t d = 0; d < width; ++d) o[d] /= static_cast<double>(counted);
    if (mode != 0) r.bag_size.data<int64_t>()[b] = counted;
    if (mode == 1) r.max_indices.data<int64_t>()[b] = counted;
  }
  r.output = from_doubles(out, weight.dtype());
  return r;
}

void scatter_reduce(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index,
                    const Tensor& src, std::string_view reduce, bool include_self) {
  enum { Sum, Prod, Mean, Max, Min } op;
  if (reduce == "sum") op = Sum;
  else if (reduce == "prod") op = Prod;
  else if (reduce == "mean") op = Mean;
  else if (reduce == "amax") op = Max;
  else if (reduce == "amin") op = Min;
  else detail::fail(ErrorCode::InvalidArgument, "scatter_reduce: unknown reduce '", reduce, "'");
  PT2RUN_CHECK(index.dim() == self.dim() && src.dim() == self.dim(), InvalidArgument,
               "scatter_reduce: self, index and src need the same rank, got ", self.describe(), ", ",
               index.describe(), ", ", src.describe());
  const DimLines l = dim_lines(self, dim, "scatter_reduce");
  for (int64_t d = 0; d < self.dim(); ++d) {
    PT2RUN_CHECK(index.size(d) <= src.size(d) && (d == l.dim || index.size(d) <= self.size(d)),
                 ShapeMismatch, "scatter_reduce: index ", index.describe(), " is larger than src ",
                 src.describe(), " or self ", self.describe(), " in dim ", d);
  }
  const bool integral = !is_floating_point(self.dtype());
  Tensor acc = self.to(DType::Float64);
  Tensor s = src.to(DType::Float64);
  Tensor idx = index.to(DType::Int64);
  std::vector<int64_t> count(static_cast<std::size_t>(acc.numel()), include_self ? 1 : 0);
  std::vector<bool> touched(static_cast<std::size_t>(acc.numel()), false);
  double* a = acc.data<double>();
  const auto self_strides = contiguous_strides(sizes_vector(self));
  const auto src_strides = contiguous_strides(sizes_vector(src));
  std::vector<int64_t> pos(static_cast<std::size_t>(index.dim()), 0);
  for (int64_t e = 0; e < idx.numel(); ++e) {
    // pos = the multi-index of element e of index.
    int64_t rest = e, src_off = 0, self_off = 0;
    for (int64_t d = index.dim() - 1; d >= 0; --d) {
      pos[static_cast<std::size_t>(d)] = rest % index.size(d);
      rest /= index.size(d);
    }
    const int64_t target = idx.data<int64_t>()[e];
    PT2RUN_CHECK(target >= 0 && target < self.size(l.dim), InvalidArgument, "scatter_reduce: index ",
                 target, " is out of range for dim ", l.dim, " of size ", self.size(l.dim));
    for (int64_t d = 0; d < index.dim(); ++d) {
      const auto du = static_cast<std::size_t>(d);
      src_off += pos[du] * src_strides[du];
      self_off += (d == l.dim ? target : pos[du]) * self_strides[du];
    }
    const double v = s.data<double>()[src_off];
    double& t = a[self_off];
    const auto su = static_cast<std::size_t>(self_off);
    if (!include_self && !touched[su]) {
      t = v;
    } else {
      switch (op) {
        case Sum: case Mean: t += v; break;
        case Prod: t *= v; break;
        case Max: t = std::isnan(v) || v > t ? v : t; break;
        case Min: t = std::isnan(v) || v < t ? v : t; break;
      }
    }
    touched[su] = true;
    ++count[su];
  }
  if (op == Mean) {
    for (std::size_t i = 0; i < count.size(); ++i) {
      if (count[i] == 0) continue;
      a[i] = integral ? std::floor(a[i] / static_cast<double>(count[i])) : a[i] / static_cast<double>(count[i]);
    }
  }
  Tensor result = out;  // shares out's storage
  result.copy_(acc);
}

Tensor segment_reduce(const Tensor& data, std::string_view reduce, const Tensor* lengths,
                      const Tensor* offsets, int64_t axis, std::optional<double> initial) {
  PT2RUN_CHECK((lengths != nullptr) != (offsets != nullptr), InvalidArgument,
               "segment_reduce: give exactly one of lengths and offsets");
  const Tensor& given = lengths ? *lengths : *offsets;
  PT2RUN_CHECK(given.dim() == 1, NotImplemented, "segment_reduce: only 1-D lengths/offsets are "
               "supported, got ", given.describe());
  std::vector<int64_t> bounds{0};
  if (lengths) {
    for (int64_t len : int_values(*lengths)) bounds.push_back(bounds.back() + len);
  } else {
    bounds = int_values(*offsets);
  }
  const DimLines l = dim_lines(data, axis, "segment_reduce");
  PT2RUN_CHECK(!bounds.empty() && bounds.back() <= l.n, InvalidArgument, "segment_reduce: the "
               "segments cover ", bounds.empty() ? 0 : bounds.back(), " elements but axis ", l.dim,
               " has ", l.n);
  const auto segments = static_cast<int64_t>(bounds.size()) - 1;
  std::vector<int64_t> out_sizes = sizes_vector(data);
  out_sizes[static_cast<std::size_t>(l.dim)] = segments;
  Tensor work = data.to(DType::Float64);
  Tensor out = Tensor::empty(out_sizes, DType::Float64);
  const double inf = std::numeric_limits<double>::infinity();
  for (int64_t line = 0; line < l.lines(); ++line) {
    const double* in = work.data<double>() + l.start(line);
    double* o = out.data<double>() + (line / l.inner) * segments * l.inner + line % l.inner;
    for (int64_t seg = 0; seg < segments; ++seg) {
      const int64_t begin = bounds[static_cast<std::size_t>(seg)], end = bounds[static_cast<std::size_t>(seg) + 1];
      double v;
      if (reduce == "sum" || reduce == "mean") v = 0;
      else if (reduce == "prod") v = 1;
      else if (reduce == "max") v = -inf;
      else if (reduce == "min") v = inf;
      else detail::fail(ErrorCode::InvalidArgument, "segment_reduce: unknown reduce '", reduce, "'");
      if (initial) v = *initial;
      for (int64_t k = begin; k < end; ++k) {
        const double x = in[k * l.inner];
        if (reduce == "sum" || reduce == "mean") v += x;
        else if (reduce == "prod") v *= x;
        else if (reduce == "max") v = std::isnan(x) || x > v ? x : v;
        else v = std::isnan(x) || x < v ? x : v;
      }
      if (reduce == "mean") {
        // torch: (initial + sum) / count; an empty segment is the initial value, else NaN.
        const auto count = static_cast<double>(end - begin);
        v = count > 0 ? v / count : initial ? *initial : std::numeric_limits<double>::quiet_NaN();
      }
      o[seg * l.inner] = v;
    }
  }
  return from_doubles(out, data.dtype());
}

}  // namespace pt2run::cpu
