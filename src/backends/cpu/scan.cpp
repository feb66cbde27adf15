#include "backends/cpu/scan.h"

#include <cmath>
#include <limits>

#include "backends/cpu/dim_lines.h"
#include "core/check.h"

namespace pt2run::cpu {
namespace {

// Scans `n` elements `stride` apart, starting at `p`.
template <class T, class Step>
void scan_line(T* p, int64_t n, int64_t stride, T init, Step&& step) {
  T acc = init;
  for (int64_t i = 0; i < n; ++i) {
    acc = step(acc, p[i * stride]);
    p[i * stride] = acc;
  }
}

// log(exp(a) + exp(b)) as torch's logcumsumexp combines: NaN spreads, and two equal
// infinities stay that infinity.
double log_add_exp(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<double>::quiet_NaN();
  const double hi = std::max(a, b), lo = std::min(a, b);
  if (lo == hi && !std::isfinite(lo)) return a;
  return hi + std::log1p(std::exp(lo - hi));
}

}  // namespace

Tensor cumulative(const Tensor& input, int64_t dim, ScanOp op, std::optional<DType> dtype) {
  const int64_t rank = std::max<int64_t>(input.dim(), 1);
  PT2RUN_CHECK(dim >= -rank && dim < rank, InvalidArgument, "cumulative op: dim ", dim,
               " out of range for ", input.describe());
  if (dim < 0) dim += rank;
  const bool integral = !is_floating_point(input.dtype()) && !is_complex(input.dtype());
  PT2RUN_CHECK(!is_complex(input.dtype()), NotImplemented, "cumulative ops on complex tensors");
  PT2RUN_CHECK(op != ScanOp::LogSumExp || !integral, InvalidArgument,
               "logcumsumexp needs a floating-point input, got ", input.describe());
  const DType out_dtype = dtype ? *dtype : (integral ? DType::Int64 : input.dtype());
  const bool accumulate_integers = integral && !is_floating_point(out_dtype);
  Tensor work = input.to(accumulate_integers ? DType::Int64 : DType::Float64);
  const int64_t n = input.dim() == 0 ? 1 : input.size(dim);
  int64_t inner = 1;
  for (int64_t d = dim + 1; d < input.dim(); ++d) inner *= input.size(d);
  const int64_t outer = n == 0 ? 0 : work.numel() / (n * inner);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t start = o * n * inner + i;
      if (accumulate_integers) {
        int64_t* p = work.data<int64_t>() + start;
        if (op == ScanOp::Sum) scan_line<int64_t>(p, n, inner, 0, [](int64_t a, int64_t b) { return a + b; });
        else scan_line<int64_t>(p, n, inner, 1, [](int64_t a, int64_t b) { return a * b; });
      } else {
        double* p = work.data<double>() + start;
        if (op == ScanOp::Sum) scan_line<double>(p, n, inner, 0.0, [](double a, double b) { return a + b; });
        else if (op == ScanOp::Prod) scan_line<double>(p, n, inner, 1.0, [](double a, double b) { return a * b; });
        else scan_line<double>(p, n, inner, -std::numeric_limits<double>::infinity(), log_add_exp);
      }
    }
  }
  Tensor out = Tensor::empty(std::vector<int64_t>(input.sizes().begin(), input.sizes().end()), out_dtype);
  out.copy_(work);
  return out;
}

}  // namespace pt2run::cpu

namespace pt2run::cpu {

std::pair<Tensor, Tensor> cumulative_extreme(const Tensor& input, int64_t dim, bool max) {
  PT2RUN_CHECK(!is_complex(input.dtype()), NotImplemented, "cummax/cummin of complex tensors");
  const DimLines l = dim_lines(input, dim, max ? "cummax" : "cummin");
  Tensor work = work_copy(input, DType::Float64);
  Tensor indices = Tensor::empty(sizes_vector(input), DType::Int64);
  double* v = work.data<double>();
  int64_t* idx = indices.data<int64_t>();
  for (int64_t line = 0; line < l.lines(); ++line) {
    const int64_t s = l.start(line);
    double best = 0;
    int64_t at = 0;
    for (int64_t k = 0; k < l.n; ++k) {
      const double x = v[s + k * l.inner];
      const bool take = k == 0 || std::isnan(x) ||
                        (!std::isnan(best) && (max ? x >= best : x <= best));
      if (take) {
        best = x;
        at = k;
      }
      v[s + k * l.inner] = best;
      idx[s + k * l.inner] = at;
    }
  }
  Tensor values = Tensor::empty(sizes_vector(input), input.dtype());
  values.copy_(work);
  return {values, indices};
}

}  // namespace pt2run::cpu
