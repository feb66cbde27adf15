#include "backends/cpu/linalg_solve.h"

#include <algorithm>
#include <climits>
#include <vector>

#include "core/check.h"
#include "core/layout.h"

// LAPACK from OpenBLAS (Fortran calling convention).
extern "C" {
void dpotrs_(const char* uplo, const int* n, const int* nrhs, const double* a, const int* lda, double* b,
             const int* ldb, int* info);
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info);
void dpotri_(const char* uplo, const int* n, double* a, const int* lda, int* info);
void dtrtrs_(const char* uplo, const char* trans, const char* diag, const int* n, const int* nrhs, const double* a,
             const int* lda, double* b, const int* ldb, int* info);
void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work, const int* lwork,
             int* info);
void dormqr_(const char* side, const char* trans, const int* m, const int* n, const int* k, const double* a,
             const int* lda, const double* tau, double* c, const int* ldc, double* work, const int* lwork, int* info);
}

namespace pt2run::cpu {
namespace {

void require_real_matrices(const Tensor& t, const char* op, const char* name) {
  PT2RUN_CHECK(t.dim() >= 2, ShapeMismatch, op, ": ", name, " must be a matrix or a batch of them, got ",
               t.describe());
  PT2RUN_CHECK(is_floating_point(t.dtype()), DTypeMismatch, op, ": ", name,
               " must be floating point (complex linear algebra is not supported), got ", t.describe());
  PT2RUN_CHECK(t.size(-1) < INT_MAX && t.size(-2) < INT_MAX, ShapeMismatch, op, ": ", name, " is too large");
}

std::vector<int64_t> batch_of(const Tensor& t) { return {t.sizes().begin(), t.sizes().end() - 2}; }

std::vector<int64_t> broadcast_batch(const std::vector<int64_t>& a, const std::vector<int64_t>& b, const char* op) {
  const std::size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const int64_t x = i + a.size() >= rank ? a[i + a.size() - rank] : 1;
    const int64_t y = i + b.size() >= rank ? b[i + b.size() - rank] : 1;
    PT2RUN_CHECK(x == y || x == 1 || y == 1, ShapeMismatch, op, ": batch dims do not broadcast");
    out[i] = x == 1 ? y : x;
  }
  return out;
}

// Matrices of t broadcast to `batch`, each copied column-major into one double buffer.
struct ColumnMajor {
  std::vector<double> data;
  int64_t rows = 0, cols = 0, count = 0;
  double* at(int64_t i) { return data.data() + i * rows * cols; }
};

ColumnMajor column_major(const Tensor& t, const std::vector<int64_t>& batch) {
  std::vector<int64_t> sizes = batch;
  sizes.push_back(t.size(-2));
  sizes.push_back(t.size(-1));
  // Transposing the last two dims makes the row-major order of the copy column-major.
  const Tensor expanded = detail::expand_to(t, sizes);
  std::vector<int64_t> tsizes = sizes, tstrides(expanded.strides().begin(), expanded.strides().end());
  std::swap(tsizes[tsizes.size() - 1], tsizes[tsizes.size() - 2]);
  std::swap(tstrides[tstrides.size() - 1], tstrides[tstrides.size() - 2]);
  const Tensor work = expanded.as_strided(tsizes, tstrides, expanded.storage_offset()).to(DType::Float64);
  ColumnMajor m;
  m.rows = t.size(-2);
  m.cols = t.size(-1);
  m.count = 1;
  for (int64_t b : batch) m.count *= b;
  m.data.assign(work.data<double>(), work.data<double>() + work.numel());
  return m;
}

// A [batch..., rows, cols] tensor in `dtype`, column-major per matrix, from m's buffers.
Tensor from_column_major(const ColumnMajor& m, const std::vector<int64_t>& batch, DType dtype) {
  std::vector<int64_t> sizes = batch;
  sizes.push_back(m.rows);
  sizes.push_back(m.cols);
  std::vector<int64_t> strides(sizes.size());
  strides[sizes.size() - 2] = 1;
  strides[sizes.size() - 1] = std::max<int64_t>(m.rows, 1);
  int64_t acc = m.rows * m.cols;
  for (std::size_t i = batch.size(); i-- > 0;) {
    strides[i] = std::max<int64_t>(acc, 1);
    acc *= batch[i];
  }
  Tensor out = Tensor::empty_strided(sizes, strides, dtype);
  std::vector<int64_t> tsizes = sizes, tstrides = strides;
  std::swap(tsizes[tsizes.size() - 1], tsizes[tsizes.size() - 2]);
  std::swap(tstrides[tstrides.size() - 1], tstrides[tstrides.size() - 2]);
  Tensor work = Tensor::empty(tsizes, DType::Float64);
  std::copy(m.data.begin(), m.data.end(), work.data<double>());
  out.as_strided(tsizes, tstrides, 0).copy_(work);
  return out;
}

int as_int(int64_t v) { return static_cast<int>(std::max<int64_t>(v, 1)); }

void lapack_ok(int info, const char* op, const char* what) {
  PT2RUN_CHECK(info >= 0, Internal, op, ": LAPACK rejected argument ", -info);
  PT2RUN_CHECK(info == 0, InvalidArgument, op, ": ", what, " (LAPACK info ", info, ")");
}

}  // namespace

CholeskyResult cholesky_ex(const Tensor& a, bool upper) {
  require_real_matrices(a, "linalg.cholesky", "the input");
  PT2RUN_CHECK(a.size(-1) == a.size(-2), ShapeMismatch, "linalg.cholesky needs square matrices, got ", a.describe());
  const auto batch = batch_of(a);
  ColumnMajor m = column_major(a, batch);
  const int n = as_int(m.rows);
  const char uplo = upper ? 'U' : 'L';
  Tensor info = Tensor::zeros(batch, DType::Int32);
  for (int64_t i = 0; i < m.count && m.rows > 0; ++i) {
    int status = 0;
    dpotrf_(&uplo, &n, m.at(i), &n, &status);
    PT2RUN_CHECK(status >= 0, Internal, "linalg.cholesky: LAPACK rejected argument ", -status);
    info.data<int32_t>()[i] = status;
    // potrf leaves the other triangle as it was; torch zeroes it.
    double* f = m.at(i);
    for (int c = 0; c < n; ++c)
      for (int r = 0; r < n; ++r)
        if (upper ? r > c : r < c) f[r + c * n] = 0;
  }
  return {from_column_major(m, batch, a.dtype()), info};
}

Tensor cholesky_solve(const Tensor& b, const Tensor& factor, bool upper) {
  require_real_matrices(b, "cholesky_solve", "the right-hand side");
  require_real_matrices(factor, "cholesky_solve", "the factor");
  PT2RUN_CHECK(factor.size(-1) == factor.size(-2) && factor.size(-1) == b.size(-2), ShapeMismatch,
               "cholesky_solve: the factor ", factor.describe(), " must be square with the rows of ", b.describe());
  const auto batch = broadcast_batch(batch_of(b), batch_of(factor), "cholesky_solve");
  ColumnMajor x = column_major(b, batch), f = column_major(factor, batch);
  const int n = as_int(f.rows), nrhs = as_int(x.cols);
  const char uplo = upper ? 'U' : 'L';
  for (int64_t i = 0; i < x.count && f.rows > 0 && x.cols > 0; ++i) {
    int info = 0;
    dpotrs_(&uplo, &n, &nrhs, f.at(i), &n, x.at(i), &n, &info);
    lapack_ok(info, "cholesky_solve", "failed");
  }
  return from_column_major(x, batch, b.dtype());
}

Tensor cholesky_inverse(const Tensor& factor, bool upper) {
  require_real_matrices(factor, "cholesky_inverse", "the factor");
  PT2RUN_CHECK(factor.size(-1) == factor.size(-2), ShapeMismatch, "cholesky_inverse: the factor ", factor.describe(),
               " must be square");
  const auto batch = batch_of(factor);
  ColumnMajor f = column_major(factor, batch);
  const int n = as_int(f.rows);
  const char uplo = upper ? 'U' : 'L';
  for (int64_t i = 0; i < f.count && f.rows > 0; ++i) {
    int info = 0;
    dpotri_(&uplo, &n, f.at(i), &n, &info);
    lapack_ok(info, "cholesky_inverse", "the factor is singular (a zero on its diagonal)");
    // potri fills one triangle; the inverse is symmetric.
    double* a = f.at(i);
    for (int c = 0; c < n; ++c)
      for (int r = c + 1; r < n; ++r) {
        if (upper) a[r + c * n] = a[c + r * n];
        else a[c + r * n] = a[r + c * n];
      }
  }
  return from_column_major(f, batch, factor.dtype());
}

std::pair<Tensor, Tensor> triangular_solve(const Tensor& b, const Tensor& a, bool upper, bool transpose,
                                           bool unitriangular) {
  require_real_matrices(b, "triangular_solve", "the right-hand side");
  require_real_matrices(a, "triangular_solve", "the coefficient matrix");
  PT2RUN_CHECK(a.size(-1) == a.size(-2) && a.size(-1) == b.size(-2), ShapeMismatch, "triangular_solve: A ",
               a.describe(), " must be square with the rows of B ", b.describe());
  PT2RUN_CHECK(a.dtype() == b.dtype(), DTypeMismatch, "triangular_solve: A and B need one dtype, got ", a.describe(),
               " and ", b.describe());
  const auto batch = broadcast_batch(batch_of(b), batch_of(a), "triangular_solve");
  ColumnMajor x = column_major(b, batch), m = column_major(a, batch);
  const int n = as_int(m.rows), nrhs = as_int(x.cols);
  const char uplo = upper ? 'U' : 'L', trans = transpose ? 'T' : 'N', diag = unitriangular ? 'U' : 'N';
  // A singular triangle gives infinities and NaNs, as torch's trsm does; trtrs would refuse it.
  for (int64_t i = 0; i < x.count && m.rows > 0 && x.cols > 0; ++i) {
    double* am = m.at(i);
    double* xm = x.at(i);
    bool singular = false;
    for (int d = 0; d < n && !unitriangular; ++d) singular |= am[d + d * n] == 0;
    if (!singular) {
      int info = 0;
      dtrtrs_(&uplo, &trans, &diag, &n, &nrhs, am, &n, xm, &n, &info);
      lapack_ok(info, "triangular_solve", "failed");
      continue;
    }
    // Substitution by hand so the zero pivots propagate as torch's do.
    const bool forward = upper == transpose;
    for (int col = 0; col < nrhs; ++col) {
      double* v = xm + static_cast<int64_t>(col) * n;
      for (int s = 0; s < n; ++s) {
        const int r = forward ? s : n - 1 - s;
        double sum = v[r];
        for (int t = 0; t < s; ++t) {
          const int k = forward ? t : n - 1 - t;
          const double coeff = transpose ? am[k + r * n] : am[r + k * n];
          sum -= coeff * v[k];
        }
        v[r] = unitriangular ? sum : sum / am[r + r * n];
      }
    }
  }
  return {from_column_major(x, batch, b.dtype()), from_column_major(column_major(a, batch_of(a)), batch_of(a), a.dtype())};
}

std::pair<Tensor, Tensor> geqrf(const Tensor& a) {
  require_real_matrices(a, "geqrf", "the input");
  const auto batch = batch_of(a);
  ColumnMajor m = column_major(a, batch);
  const int rows = as_int(m.rows), cols = as_int(m.cols);
  const int64_t k = std::min(m.rows, m.cols);
  std::vector<double> tau(static_cast<std::size_t>(std::max<int64_t>(m.count * k, 1)));
  for (int64_t i = 0; i < m.count && k > 0; ++i) {
    int info = 0, lwork = -1;
    double query = 0;
    dgeqrf_(&rows, &cols, m.at(i), &rows, tau.data() + i * k, &query, &lwork, &info);
    lwork = std::max(1, static_cast<int>(query));
    std::vector<double> work(static_cast<std::size_t>(lwork));
    dgeqrf_(&rows, &cols, m.at(i), &rows, tau.data() + i * k, work.data(), &lwork, &info);
    lapack_ok(info, "geqrf", "failed");
  }
  std::vector<int64_t> tau_sizes = batch;
  tau_sizes.push_back(k);
  Tensor t = Tensor::empty(tau_sizes, DType::Float64);
  std::copy(tau.begin(), tau.begin() + t.numel(), t.data<double>());
  return {from_column_major(m, batch, a.dtype()), t.to(a.dtype())};
}

Tensor ormqr(const Tensor& a, const Tensor& tau, const Tensor& c, bool left, bool transpose) {
  require_real_matrices(a, "ormqr", "the reflectors");
  require_real_matrices(c, "ormqr", "the matrix to multiply");
  const int64_t k = tau.dim() >= 1 ? tau.size(-1) : 0;
  const int64_t q_order = left ? c.size(-2) : c.size(-1);
  PT2RUN_CHECK(a.size(-2) == q_order && k <= a.size(-1) && k <= q_order, ShapeMismatch, "ormqr: reflectors ",
               a.describe(), " and tau ", tau.describe(), " do not fit ", c.describe());
  PT2RUN_CHECK(a.dtype() == c.dtype() && tau.dtype() == c.dtype(), DTypeMismatch,
               "ormqr: input, tau and other need one dtype");
  const auto batch = batch_of(c);
  PT2RUN_CHECK(batch_of(a) == batch, ShapeMismatch, "ormqr: the batch dims of ", a.describe(), " and ", c.describe(),
               " must be equal");
  ColumnMajor x = column_major(c, batch), r = column_major(a, batch);
  const Tensor t = tau.to(DType::Float64);
  const int m = as_int(x.rows), n = as_int(x.cols), kk = static_cast<int>(k), lda = as_int(r.rows);
  const char side = left ? 'L' : 'R', trans = transpose ? 'T' : 'N';
  for (int64_t i = 0; i < x.count && x.rows > 0 && x.cols > 0; ++i) {
    int info = 0, lwork = -1;
    double query = 0;
    dormqr_(&side, &trans, &m, &n, &kk, r.at(i), &lda, t.data<double>() + i * k, x.at(i), &m, &query, &lwork, &info);
    lwork = std::max(1, static_cast<int>(query));
    std::vector<double> work(static_cast<std::size_t>(lwork));
    dormqr_(&side, &trans, &m, &n, &kk, r.at(i), &lda, t.data<double>() + i * k, x.at(i), &m, work.data(), &lwork,
            &info);
    lapack_ok(info, "ormqr", "failed");
  }
  return from_column_major(x, batch, c.dtype());
}

LuUnpacked lu_unpack(const Tensor& lu, const Tensor& pivots, bool unpack_data, bool unpack_pivots) {
  require_real_matrices(lu, "lu_unpack", "LU_data");
  const int64_t m = lu.size(-2), n = lu.size(-1), k = std::min(m, n);
  PT2RUN_CHECK(pivots.dtype() == DType::Int32 && pivots.dim() == lu.dim() - 1 && pivots.size(-1) == k, ShapeMismatch,
               "lu_unpack: LU_pivots must be int32 [..., ", k, "], got ", pivots.describe());
  const auto batch = batch_of(lu);
  int64_t count = 1;
  for (int64_t b : batch) count *= b;
  LuUnpacked r;
  auto with = [&](int64_t rows, int64_t cols) {
    std::vector<int64_t> s = batch;
    s.push_back(rows);
    s.push_back(cols);
    return s;
  };
  if (unpack_data) {
    const Tensor src = lu.to(DType::Float64);
    Tensor l = Tensor::zeros(with(m, k), DType::Float64), u = Tensor::zeros(with(k, n), DType::Float64);
    for (int64_t b = 0; b < count; ++b) {
      const double* s = src.data<double>() + b * m * n;
      double* pl = l.data<double>() + b * m * k;
      double* pu = u.data<double>() + b * k * n;
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          if (j < k && i > j) pl[i * k + j] = s[i * n + j];
          if (j < k && i == j) pl[i * k + j] = 1;
          if (i < k && j >= i) pu[i * n + j] = s[i * n + j];
        }
    }
    r.l = l.to(lu.dtype());
    r.u = u.to(lu.dtype());
  } else {
    r.l = Tensor::empty({0}, lu.dtype());
    r.u = Tensor::empty({0}, lu.dtype());
  }
  if (unpack_pivots) {
    const Tensor piv = pivots.contiguous();
    Tensor p = Tensor::zeros(with(m, m), DType::Float64);
    std::vector<int64_t> perm(static_cast<std::size_t>(m));
    for (int64_t b = 0; b < count; ++b) {
      for (int64_t i = 0; i < m; ++i) perm[static_cast<std::size_t>(i)] = i;
      // LAPACK's 1-based row interchanges, applied in order.
      for (int64_t i = 0; i < k; ++i) {
        const int64_t j = piv.data<int32_t>()[b * k + i] - 1;
        PT2RUN_CHECK(j >= 0 && j < m, InvalidArgument, "lu_unpack: pivot ", j + 1, " is out of range for ", m,
                     " rows");
        std::swap(perm[static_cast<std::size_t>(i)], perm[static_cast<std::size_t>(j)]);
      }
      // A = P L U: row perm[i] of A is row i of L U.
      for (int64_t i = 0; i < m; ++i) p.data<double>()[b * m * m + perm[static_cast<std::size_t>(i)] * m + i] = 1;
    }
    r.p = p.to(lu.dtype());
  } else {
    r.p = Tensor::empty({0}, lu.dtype());
  }
  return r;
}

}  // namespace pt2run::cpu
