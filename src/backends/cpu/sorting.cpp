#include "backends/cpu/sorting.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <numeric>

#include "backends/cpu/dim_lines.h"
#include "core/check.h"
#include "core/layout.h"

namespace pt2run::cpu {
namespace {

int64_t wrap_dim(const Tensor& t, int64_t dim, const char* op) {
  const int64_t rank = std::max<int64_t>(t.dim(), 1);
  PT2RUN_CHECK(dim >= -rank && dim < rank, InvalidArgument, op, ": dim ", dim, " out of range for ",
               t.describe());
  return dim < 0 ? dim + rank : dim;
}

// The lines along `dim` of a contiguous tensor: `outer` lines of `n` elements, `inner` apart.
struct Lines {
  int64_t outer, n, inner;
};

Lines lines_of(const Tensor& t, int64_t dim) {
  const int64_t n = t.dim() == 0 ? 1 : t.size(dim);
  int64_t inner = 1;
  for (int64_t d = dim + 1; d < t.dim(); ++d) inner *= t.size(d);
  return {n == 0 ? 0 : t.numel() / (n * inner), n, inner};
}

// Comparable keys: int64 for integers (exact), double for floats.
Tensor keys_of(const Tensor& t) {
  const bool integral = !is_floating_point(t.dtype());
  PT2RUN_CHECK(!is_complex(t.dtype()), InvalidArgument, "cannot order complex values ", t.describe());
  return t.to(integral ? DType::Int64 : DType::Float64);
}

// a before b in ascending order, NaN last.
template <class T>
bool ascending(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
  }
  return a < b;
}

// Sorted (or top-k) indices of each line, written into `indices` (int64, contiguous, with
// `keep` elements per line), and the matching values gathered from the input.
template <class T>
void order_lines(const T* keys, const Lines& l, bool descending, int64_t keep, int64_t* out) {
  std::vector<int64_t> order(static_cast<std::size_t>(l.n));
  for (int64_t o = 0; o < l.outer; ++o) {
    for (int64_t i = 0; i < l.inner; ++i) {
      const T* line = keys + o * l.n * l.inner + i;
      std::iota(order.begin(), order.end(), 0);
      auto before = [&](int64_t a, int64_t b) {
        const T x = line[a * l.inner], y = line[b * l.inner];
        return descending ? ascending(y, x) : ascending(x, y);
      };
      if (keep < l.n) {
        std::partial_sort(order.begin(), order.begin() + keep, order.end(), [&](int64_t a, int64_t b) {
          return before(a, b) || (!before(b, a) && a < b);  // ties by position: deterministic
        });
      } else {
        std::stable_sort(order.begin(), order.end(), before);
      }
      for (int64_t j = 0; j < keep; ++j) out[(o * keep + j) * l.inner + i] = order[static_cast<std::size_t>(j)];
    }
  }
}

// values[..., j, ...] = input[..., indices[..., j, ...], ...] along dim.
Tensor gather_lines(const Tensor& input, const Tensor& indices, const Lines& l, int64_t keep) {
  Tensor src = input.contiguous();
  std::vector<int64_t> sizes(indices.sizes().begin(), indices.sizes().end());
  Tensor values = Tensor::empty(sizes, input.dtype());
  const std::size_t item = element_size(input.dtype());
  const auto* from = static_cast<const std::byte*>(src.data_ptr());
  auto* to = static_cast<std::byte*>(values.data_ptr());
  const int64_t* idx = indices.data<int64_t>();
  for (int64_t o = 0; o < l.outer; ++o)
    for (int64_t j = 0; j < keep; ++j)
      for (int64_t i = 0; i < l.inner; ++i) {
        const int64_t at = (o * keep + j) * l.inner + i;
        std::memcpy(to + at * item, from + ((o * l.n + idx[at]) * l.inner + i) * item, item);
      }
  return values;
}

std::pair<Tensor, Tensor> ordered(const Tensor& input, int64_t dim, bool descending, int64_t keep) {
  const Lines l = lines_of(input, dim);
  std::vector<int64_t> sizes(input.sizes().begin(), input.sizes().end());
  if (input.dim() > 0) sizes[static_cast<std::size_t>(dim)] = keep;
  Tensor indices = Tensor::empty(sizes, DType::Int64);
  if (indices.numel() > 0) {
    Tensor keys = keys_of(input);
    if (keys.dtype() == DType::Int64) order_lines(keys.data<int64_t>(), l, descending, keep, indices.data<int64_t>());
    else order_lines(keys.data<double>(), l, descending, keep, indices.data<int64_t>());
  }
  return {gather_lines(input, indices, l, keep), indices};
}

}  // namespace

std::pair<Tensor, Tensor> sort(const Tensor& input, int64_t dim, bool descending) {
  dim = wrap_dim(input, dim, "sort");
  auto [values, indices] = ordered(input, dim, descending, input.dim() == 0 ? 1 : input.size(dim));
  // torch's sort lays both results out as the input (empty_like), unlike topk; a contiguous
  // input's layout is what ordered() already gives.
  if (input.is_contiguous()) return {values, indices};
  Tensor v = detail::empty_like(input, values.dtype()), i = detail::empty_like(input, DType::Int64);
  v.copy_(values);
  i.copy_(indices);
  return {v, i};
}

std::pair<Tensor, Tensor> topk(const Tensor& input, int64_t k, int64_t dim, bool largest) {
  dim = wrap_dim(input, dim, "topk");
  const int64_t n = input.dim() == 0 ? 1 : input.size(dim);
  PT2RUN_CHECK(k >= 0 && k <= n, InvalidArgument, "topk: k = ", k, " is out of range for ", n,
               " elements along dim ", dim);
  return ordered(input, dim, largest, k);
}

Tensor searchsorted(const Tensor& sorted_sequence, const Tensor& values, bool out_int32, bool right,
                    const Tensor* sorter) {
  PT2RUN_CHECK(sorted_sequence.dim() >= 1, InvalidArgument, "searchsorted: the sequence must have at least 1 dim");
  const int64_t n = sorted_sequence.size(-1);
  const bool one_d = sorted_sequence.dim() == 1;
  if (!one_d) {
    PT2RUN_CHECK(sorted_sequence.dim() == values.dim() &&
                     std::equal(sorted_sequence.sizes().begin(), sorted_sequence.sizes().end() - 1,
                                values.sizes().begin()),
                 ShapeMismatch, "searchsorted: sequence ", sorted_sequence.describe(), " and values ",
                 values.describe(), " must match in every dim but the last");
  }
  if (sorter) {
    PT2RUN_CHECK(std::equal(sorter->sizes().begin(), sorter->sizes().end(), sorted_sequence.sizes().begin(),
                            sorted_sequence.sizes().end()),
                 ShapeMismatch, "searchsorted: sorter ", sorter->describe(), " must match the sequence");
  }
  Tensor seq = keys_of(sorted_sequence).to(DType::Float64), val = keys_of(values).to(DType::Float64);
  Tensor order = sorter ? sorter->to(DType::Int64) : Tensor();
  std::vector<int64_t> sizes(values.sizes().begin(), values.sizes().end());
  Tensor out = Tensor::empty(sizes, out_int32 ? DType::Int32 : DType::Int64);
  const int64_t per_line = values.dim() == 0 ? 1 : values.size(-1);
  for (int64_t i = 0; i < values.numel(); ++i) {
    const int64_t line = one_d ? 0 : i / per_line;
    const double* s = seq.data<double>() + line * n;
    const int64_t* o = sorter ? order.data<int64_t>() + line * n : nullptr;
    for (int64_t j = 0; o && j < n; ++j)
      PT2RUN_CHECK(o[j] >= 0 && o[j] < n, InvalidArgument, "searchsorted: sorter index ", o[j], " out of range");
    auto at = [&](int64_t j) { return s[o ? o[j] : j]; };
    const double v = val.data<double>()[i];
    int64_t lo = 0, hi = n;
    while (lo < hi) {  // first position whose element is > v (right) or >= v (left)
      const int64_t mid = lo + (hi - lo) / 2;
      const bool go_right = right ? !ascending(v, at(mid)) : ascending(at(mid), v);
      if (go_right) lo = mid + 1;
      else hi = mid;
    }
    if (out_int32) out.data<int32_t>()[i] = static_cast<int32_t>(lo);
    else out.data<int64_t>()[i] = lo;
  }
  return out;
}

}  // namespace pt2run::cpu

namespace pt2run::cpu {
namespace {

// input's sizes with `dim` reduced: kept as 1 with keepdim, else removed.
std::vector<int64_t> reduced_sizes(const Tensor& input, int64_t dim, bool keepdim) {
  std::vector<int64_t> sizes = sizes_vector(input);
  if (input.dim() > 0) {
    if (keepdim) sizes[static_cast<std::size_t>(dim)] = 1;
    else sizes.erase(sizes.begin() + dim);
  }
  return sizes;
}

// The `rank`-th (0-based) element of each line in ascending order (NaN last, or first with
// nan_wins), with its index.
std::pair<Tensor, Tensor> select_rank(const Tensor& input, int64_t dim, bool keepdim, const char* op,
                                      const std::function<int64_t(int64_t n)>& rank_of, bool nan_wins) {
  PT2RUN_CHECK(!is_complex(input.dtype()), NotImplemented, op, " of complex tensors");
  const DimLines l = dim_lines(input, dim, op);
  Tensor work = work_copy(input, DType::Float64);
  const std::vector<int64_t> out_sizes = reduced_sizes(input, l.dim, keepdim);
  Tensor values = Tensor::empty(out_sizes, DType::Float64);
  Tensor indices = Tensor::empty(out_sizes, DType::Int64);
  const double* v = work.data<double>();
  std::vector<int64_t> order(static_cast<std::size_t>(l.n));
  for (int64_t line = 0; line < l.lines(); ++line) {
    const int64_t s = l.start(line);
    const int64_t rank = rank_of(l.n);
    PT2RUN_CHECK(rank >= 0 && rank < l.n, InvalidArgument, op, ": k is out of range for a dim of ",
                 l.n, " elements");
    for (int64_t k = 0; k < l.n; ++k) order[static_cast<std::size_t>(k)] = k;
    bool has_nan = false;
    auto less = [&](int64_t a, int64_t b) {
      const double x = v[s + a * l.inner], y = v[s + b * l.inner];
      if (std::isnan(x)) return false;
      return std::isnan(y) || x < y;
    };
    for (int64_t k = 0; k < l.n; ++k) has_nan |= std::isnan(v[s + k * l.inner]);
    int64_t at = 0;
    if (nan_wins && has_nan) {
      while (!std::isnan(v[s + at * l.inner])) ++at;
    } else {
      std::nth_element(order.begin(), order.begin() + rank, order.end(), less);
      at = order[static_cast<std::size_t>(rank)];
    }
    values.data<double>()[line] = v[s + at * l.inner];
    indices.data<int64_t>()[line] = at;
  }
  Tensor out = Tensor::empty(out_sizes, input.dtype());
  out.copy_(values);
  return {out, indices};
}

}  // namespace

std::pair<Tensor, Tensor> kthvalue(const Tensor& input, int64_t k, int64_t dim, bool keepdim) {
  return select_rank(input, dim, keepdim, "kthvalue", [k](int64_t) { return k - 1; }, false);
}

std::pair<Tensor, Tensor> median(const Tensor& input, int64_t dim, bool keepdim) {
  return select_rank(input, dim, keepdim, "median", [](int64_t n) { return (n - 1) / 2; }, true);
}

}  // namespace pt2run::cpu

namespace pt2run::cpu {
namespace {

Tensor lower_median(const Tensor& input, bool skip_nan, const char* op) {
  PT2RUN_CHECK(!is_complex(input.dtype()), NotImplemented, op, " of complex tensors");
  const Tensor work = work_copy(input, DType::Float64);
  std::vector<double> values;
  values.reserve(static_cast<std::size_t>(work.numel()));
  for (int64_t i = 0; i < work.numel(); ++i) {
    const double x = work.data<double>()[i];
    if (std::isnan(x)) {
      if (!skip_nan) return detail::scalar_tensor(x, input.dtype());
      continue;
    }
    values.push_back(x);
  }
  if (values.empty()) {
    PT2RUN_CHECK(is_floating_point(input.dtype()), InvalidArgument, op, ": an empty integral tensor has no median");
    return detail::scalar_tensor(std::numeric_limits<double>::quiet_NaN(), input.dtype());
  }
  const auto mid = values.begin() + static_cast<std::ptrdiff_t>((values.size() - 1) / 2);
  std::nth_element(values.begin(), mid, values.end());
  return detail::scalar_tensor(*mid, input.dtype());
}

}  // namespace

Tensor median_all(const Tensor& input) { return lower_median(input, false, "median"); }

Tensor nanmedian_all(const Tensor& input) { return lower_median(input, true, "nanmedian"); }

std::pair<Tensor, Tensor> mode(const Tensor& input, int64_t dim, bool keepdim) {
  PT2RUN_CHECK(!is_complex(input.dtype()), NotImplemented, "mode of complex tensors");
  const DimLines l = dim_lines(input, dim, "mode");
  PT2RUN_CHECK(l.n > 0, InvalidArgument, "mode: dim ", l.dim, " of ", input.describe(), " is empty");
  const Tensor work = work_copy(input, DType::Float64);
  const std::vector<int64_t> out_sizes = reduced_sizes(input, l.dim, keepdim);
  Tensor values = Tensor::empty(out_sizes, DType::Float64);
  Tensor indices = Tensor::empty(out_sizes, DType::Int64);
  std::vector<std::pair<double, int64_t>> line(static_cast<std::size_t>(l.n));
  for (int64_t li = 0; li < l.lines(); ++li) {
    const int64_t s = l.start(li);
    for (int64_t k = 0; k < l.n; ++k) line[static_cast<std::size_t>(k)] = {work.data<double>()[s + k * l.inner], k};
    // torch's CPU kernel: std::sort by value alone (so which index of a repeated value comes
    // last is std::sort's doing, and NaN compares as equal to everything), then the longest
    // run of equal neighbours, first such run on ties, reported by its last element. The same
    // algorithm from the same standard library gives the same indices.
    std::sort(line.begin(), line.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    int64_t best_count = 0, run = 0;
    std::pair<double, int64_t> best{};
    for (std::size_t k = 0; k < line.size(); ++k) {
      ++run;
      if (k + 1 == line.size() || line[k].first != line[k + 1].first) {
        if (run > best_count) {
          best_count = run;
          best = line[k];
        }
        run = 0;
      }
    }
    values.data<double>()[li] = best.first;
    indices.data<int64_t>()[li] = best.second;
  }
  Tensor out = Tensor::empty(out_sizes, input.dtype());
  out.copy_(values);
  return {out, indices};
}

}  // namespace pt2run::cpu
