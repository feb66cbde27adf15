#include "backends/cuda/fft.h"

#include <cufft.h>

#include <algorithm>
#include <cmath>
#include <compare>
#include <cstdint>
#include <map>

#include "backends/cuda/cuda_check.h"
#include "backends/cuda/dynamic_library.h"
#include "backends/cuda/fft_kernels.h"
#include "backends/cuda/streams.h"
#include "core/check.h"
#include "core/layout.h"

namespace pt2run::cuda {
namespace {

// cuFFT is loaded at run time, as cuBLAS is (backends/cuda/dynamic_library.h).
struct Cufft {
  decltype(&cufftCreate) create = nullptr;
  decltype(&cufftDestroy) destroy = nullptr;
  decltype(&cufftMakePlanMany64) make_plan = nullptr;
  decltype(&cufftSetStream) set_stream = nullptr;
  decltype(&cufftExecC2C) c2c = nullptr;
  decltype(&cufftExecR2C) r2c = nullptr;
  decltype(&cufftExecC2R) c2r = nullptr;
  decltype(&cufftExecZ2Z) z2z = nullptr;
  decltype(&cufftExecD2Z) d2z = nullptr;
  decltype(&cufftExecZ2D) z2d = nullptr;

  static const Cufft& get() {
    static Cufft api = load();
    return api;
  }

 private:
  static Cufft load() {
    constexpr const char* soname = "libcufft.so.12";
    void* lib = open_library(soname, "runs an FFT on the GPU",
                             "install CUDA 13's cuFFT (e.g. pip install nvidia-cufft) and put its lib "
                             "folder on LD_LIBRARY_PATH");
    Cufft api;
    auto resolve = [&](auto& fn, const char* name) { resolve_symbol(lib, soname, fn, name); };
    resolve(api.create, "cufftCreate");
    resolve(api.destroy, "cufftDestroy");
    resolve(api.make_plan, "cufftMakePlanMany64");
    resolve(api.set_stream, "cufftSetStream");
    resolve(api.c2c, "cufftExecC2C");
    resolve(api.r2c, "cufftExecR2C");
    resolve(api.c2r, "cufftExecC2R");
    resolve(api.z2z, "cufftExecZ2Z");
    resolve(api.d2z, "cufftExecD2Z");
    resolve(api.z2d, "cufftExecZ2D");
    return api;
  }
};

void check(cufftResult status, const char* what) {
  PT2RUN_CHECK(status == CUFFT_SUCCESS, Internal, what, " failed with cuFFT status ",
               static_cast<int>(status));
}

enum class Kind { c2c, r2c, c2r };

struct PlanKey {
  int32_t device = 0;
  Kind kind = Kind::c2c;
  bool f64 = false;
  int64_t batch = 0;
  std::vector<int64_t> signal;
  auto operator<=>(const PlanKey&) const = default;
};

// cuFFT plans of this thread (a plan executes on one stream at a time, and making one costs
// far more than running it), destroyed when the thread ends. Plans allocate their workspace
// when made, so a plan made before a CUDA graph capture can run inside it.
class PlanCache {
 public:
  PlanCache() = default;
  PlanCache(const PlanCache&) = delete;
  PlanCache& operator=(const PlanCache&) = delete;
  ~PlanCache() { clear(); }

  cufftHandle get(const PlanKey& key, cudaStream_t stream) {
    auto it = plans_.find(key);
    if (it == plans_.end()) {
      cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
      PT2RUN_CUDA_CHECK(cudaStreamIsCapturing(stream, &capture));
      PT2RUN_CHECK(capture == cudaStreamCaptureStatusNone, Internal,
                   "a cuFFT plan for a transform not run before cannot be made inside a CUDA graph "
                   "capture (it allocates device memory)");
      if (plans_.size() >= kMaxPlans) clear();
      it = plans_.emplace(key, make(key)).first;
    }
    check(Cufft::get().set_stream(it->second, stream), "cufftSetStream");
    return it->second;
  }

 private:
  static constexpr std::size_t kMaxPlans = 64;

  static cufftHandle make(const PlanKey& key) {
    const Cufft& api = Cufft::get();
    cufftHandle plan = 0;
    check(api.create(&plan), "cufftCreate");
    std::vector<long long> n(key.signal.begin(), key.signal.end());
    const cufftType type = key.kind == Kind::c2c   ? (key.f64 ? CUFFT_Z2Z : CUFFT_C2C)
                           : key.kind == Kind::r2c ? (key.f64 ? CUFFT_D2Z : CUFFT_R2C)
                                                   : (key.f64 ? CUFFT_Z2D : CUFFT_C2R);
    std::size_t workspace = 0;
    // Null embeddings: the basic layout, each signal contiguous and the batch outermost.
    const cufftResult status = api.make_plan(plan, static_cast<int>(n.size()), n.data(), nullptr, 1, 0,
                                             nullptr, 1, 0, type, key.batch, &workspace);
    if (status != CUFFT_SUCCESS) {
      (void)api.destroy(plan);
      check(status, "cufftMakePlanMany64");
    }
    return plan;
  }

  void clear() {
    for (auto& [key, plan] : plans_) {
      int previous = 0;
      (void)cudaGetDevice(&previous);
      (void)cudaSetDevice(key.device);
      (void)Cufft::get().destroy(plan);
      (void)cudaSetDevice(previous);
    }
    plans_.clear();
  }

  std::map<PlanKey, cufftHandle> plans_;
};

PlanCache& plans() {
  thread_local PlanCache cache;
  return cache;
}

bool is_f64(DType dtype) { return dtype == DType::Float64 || dtype == DType::Complex128; }

DType complex_of(DType real) { return real == DType::Float64 ? DType::Complex128 : DType::Complex64; }
DType real_of(DType complex) { return complex == DType::Complex128 ? DType::Float64 : DType::Float32; }

// The dims, wrapped and checked: non-empty, in range, each once.
std::vector<int64_t> checked_dims(const Tensor& input, const std::vector<int64_t>& dims, int64_t normalization,
                                  bool complex_input, const char* op) {
  PT2RUN_CHECK(normalization >= 0 && normalization <= 2, InvalidArgument, op,
               ": normalization must be 0 (none), 1 (by sqrt(n)) or 2 (by n), got ", normalization);
  PT2RUN_CHECK(input.device().type == DeviceType::CUDA, DeviceMismatch, op, " on CUDA needs a CUDA tensor, got ",
               input.describe());
  PT2RUN_CHECK(fft_supports(input.dtype()) && is_complex(input.dtype()) == complex_input, NotImplemented, op,
               " on CUDA takes ", complex_input ? "complex64 or complex128" : "float32 or float64", " input, got ",
               input.describe());
  PT2RUN_CHECK(!dims.empty() && input.dim() <= kMaxFftDims, InvalidArgument, op, ": needs 1 to ", kMaxFftDims,
               "-dim input and at least one dim, got ", input.describe());
  std::vector<int64_t> wrapped;
  for (int64_t d : dims) {
    PT2RUN_CHECK(d >= -input.dim() && d < input.dim(), InvalidArgument, op, ": dim ", d, " is out of range for ",
                 input.describe());
    const int64_t w = d < 0 ? d + input.dim() : d;
    PT2RUN_CHECK(std::find(wrapped.begin(), wrapped.end(), w) == wrapped.end(), InvalidArgument, op, ": dim ", d,
                 " is given twice");
    PT2RUN_CHECK(input.size(w) > 0 || complex_input, InvalidArgument, op, ": cannot transform 0 points (dim ", d,
                 " of ", input.describe(), ")");
    wrapped.push_back(w);
  }
  return wrapped;
}

// One cuFFT transform of `input` over `dims` (at most three), as torch's _exec_fft: the batch
// dims go first, outermost by stride, and the signal dims follow in the order given; the result
// has `out_sizes` and that dim order in memory (each signal contiguous), viewed back in the
// input's dim order.
Tensor exec(const Tensor& input, const std::vector<int64_t>& out_sizes, const std::vector<int64_t>& dims,
            bool forward, Kind kind) {
  const int64_t ndim = input.dim();
  std::vector<int64_t> perm;
  for (int64_t d = 0; d < ndim; ++d)
    if (std::find(dims.begin(), dims.end(), d) == dims.end()) perm.push_back(d);
  std::stable_sort(perm.begin(), perm.end(), [&](int64_t a, int64_t b) { return input.stride(a) > input.stride(b); });
  const auto batch_dims = perm.size();
  perm.insert(perm.end(), dims.begin(), dims.end());

  // The input in that order, contiguous. A complex-to-real transform overwrites its input,
  // so it always gets a copy, cut to the n/2 + 1 points the transform reads.
  std::vector<int64_t> sizes, strides, out_perm_sizes;
  for (int64_t d : perm) {
    sizes.push_back(input.size(d));
    strides.push_back(input.stride(d));
    out_perm_sizes.push_back(out_sizes[static_cast<std::size_t>(d)]);
  }
  std::vector<int64_t> signal;
  int64_t batch = 1;
  for (std::size_t i = 0; i < perm.size(); ++i) {
    if (i < batch_dims) {
      batch *= sizes[i];
    } else {
      signal.push_back(std::max(sizes[i], out_perm_sizes[i]));
    }
  }
  if (kind == Kind::c2r) sizes.back() = signal.back() / 2 + 1;
  const DType in_dtype = input.dtype();
  const int32_t device = input.device().index;
  const cudaStream_t stream = current_stream(device);
  int64_t out_numel = 1, in_numel = 1;
  for (std::size_t i = 0; i < sizes.size(); ++i) out_numel *= out_perm_sizes[i], in_numel *= sizes[i];
  const bool work = out_numel > 0 && in_numel > 0;
  // The plan first: inside a capture, an unplanned size must fail before anything is enqueued.
  const PlanKey key{device, kind, is_f64(in_dtype), batch, signal};
  const cufftHandle plan = work ? plans().get(key, stream) : 0;
  Tensor x = input.as_strided(sizes, strides, input.storage_offset());
  // cuFFT wants real data aligned as its complex counterpart.
  const auto align = static_cast<std::uintptr_t>(2 * element_size(kind == Kind::r2c ? in_dtype : real_of(in_dtype)));
  if (kind == Kind::c2r || !x.is_contiguous() || reinterpret_cast<std::uintptr_t>(x.data_ptr()) % align != 0)
    x = x.clone();
  const DType out_dtype = kind == Kind::r2c ? complex_of(in_dtype) : kind == Kind::c2r ? real_of(in_dtype) : in_dtype;
  Tensor out = Tensor::empty(out_perm_sizes, out_dtype, input.device());
  if (work) {
    const Cufft& api = Cufft::get();
    const int direction = forward ? CUFFT_FORWARD : CUFFT_INVERSE;
    void* in = x.data_ptr();
    void* o = out.data_ptr();
    if (kind == Kind::c2c) {
      check(key.f64 ? api.z2z(plan, static_cast<cufftDoubleComplex*>(in), static_cast<cufftDoubleComplex*>(o), direction)
                    : api.c2c(plan, static_cast<cufftComplex*>(in), static_cast<cufftComplex*>(o), direction),
            "cufftExec (complex to complex)");
    } else if (kind == Kind::r2c) {
      check(key.f64 ? api.d2z(plan, static_cast<cufftDoubleReal*>(in), static_cast<cufftDoubleComplex*>(o))
                    : api.r2c(plan, static_cast<cufftReal*>(in), static_cast<cufftComplex*>(o)),
            "cufftExec (real to complex)");
    } else {
      check(key.f64 ? api.z2d(plan, static_cast<cufftDoubleComplex*>(in), static_cast<cufftDoubleReal*>(o))
                    : api.c2r(plan, static_cast<cufftComplex*>(in), static_cast<cufftReal*>(o)),
            "cufftExec (complex to real)");
    }
  }
  // Back in the input's dim order.
  std::vector<int64_t> back_strides(static_cast<std::size_t>(ndim));
  for (std::size_t i = 0; i < perm.size(); ++i) back_strides[static_cast<std::size_t>(perm[i])] = out.stride(static_cast<int64_t>(i));
  return out.as_strided(out_sizes, back_strides, 0);
}

// C2C transforms over `dims`, three at a time, innermost (smallest stride) first, re-sorted
// after each (a transform re-lays its output): torch's order.
Tensor c2c_passes(Tensor work, std::vector<int64_t> dims, bool forward) {
  const std::vector<int64_t> sizes = detail::sizes_of(work);
  while (!dims.empty()) {
    std::stable_sort(dims.begin(), dims.end(), [&](int64_t a, int64_t b) { return work.stride(a) > work.stride(b); });
    const std::size_t take = std::min<std::size_t>(3, dims.size());
    const std::vector<int64_t> group(dims.end() - static_cast<std::ptrdiff_t>(take), dims.end());
    work = exec(work, sizes, group, forward, Kind::c2c);
    dims.resize(dims.size() - take);
  }
  return work;
}

// torch's _fft_apply_normalization: the whole (dense) result times the scale, in its precision.
void normalize(const Tensor& t, int64_t normalization, const std::vector<int64_t>& sizes,
               const std::vector<int64_t>& dims) {
  if (normalization == 0 || t.numel() == 0) return;
  double n = 1;
  for (int64_t d : dims) n *= static_cast<double>(sizes[static_cast<std::size_t>(d)]);
  const double scale = 1.0 / (normalization == 1 ? std::sqrt(n) : n);
  const int64_t components = t.numel() * (is_complex(t.dtype()) ? 2 : 1);
  launch_fft_scale(t.data_ptr(), components, is_f64(t.dtype()), scale, current_stream(t.device().index));
}

}  // namespace

bool fft_supports(DType dtype) {
  return dtype == DType::Float32 || dtype == DType::Float64 || dtype == DType::Complex64 ||
         dtype == DType::Complex128;
}

Tensor fft_c2c(const Tensor& input, const std::vector<int64_t>& dims, int64_t normalization, bool forward) {
  const std::vector<int64_t> d = checked_dims(input, dims, normalization, true, "_fft_c2c");
  DeviceGuard guard(input.device().index);
  Tensor out = c2c_passes(input, d, forward);
  normalize(out, normalization, detail::sizes_of(input), d);
  return out;
}

Tensor fft_r2c(const Tensor& input, const std::vector<int64_t>& dims, int64_t normalization, bool onesided) {
  const std::vector<int64_t> d = checked_dims(input, dims, normalization, false, "_fft_r2c");
  DeviceGuard guard(input.device().index);
  const std::vector<int64_t> sizes = detail::sizes_of(input);
  const int64_t last = d.back();
  const int64_t half = sizes[static_cast<std::size_t>(last)] / 2 + 1;
  std::vector<int64_t> onesided_sizes = sizes;
  onesided_sizes[static_cast<std::size_t>(last)] = half;
  // Real to complex along the last dim, then complex to complex along the others.
  Tensor out = exec(input, onesided_sizes, {last}, true, Kind::r2c);
  out = c2c_passes(out, std::vector<int64_t>(d.begin(), d.end() - 1), true);
  normalize(out, normalization, sizes, d);
  if (onesided || half == sizes[static_cast<std::size_t>(last)]) return out;
  // The other half by conjugate symmetry, in a contiguous tensor of the input's sizes.
  Tensor full = Tensor::empty(sizes, out.dtype(), input.device());
  std::vector<int64_t> strides(full.strides().begin(), full.strides().end());
  full.as_strided(onesided_sizes, strides, 0).copy_(out);
  HermitianFill shape;
  shape.dims = static_cast<int>(full.dim());
  shape.last = static_cast<int>(last);
  for (int64_t k = 0; k < full.dim(); ++k) {
    shape.sizes[k] = full.size(k);
    shape.mirrored[k] = std::find(d.begin(), d.end(), k) != d.end();
  }
  launch_hermitian_fill(full.data_ptr(), is_f64(full.dtype()), shape, current_stream(input.device().index));
  return full;
}

Tensor fft_c2r(const Tensor& input, const std::vector<int64_t>& dims, int64_t normalization, int64_t last_dim_size) {
  const std::vector<int64_t> d = checked_dims(input, dims, normalization, true, "_fft_c2r");
  const int64_t last = d.back();
  PT2RUN_CHECK(last_dim_size >= 1 && input.size(last) >= last_dim_size / 2 + 1, InvalidArgument,
               "_fft_c2r: ", last_dim_size, " output points need ", last_dim_size / 2 + 1, " input points along dim ",
               last, ", got ", input.describe());
  DeviceGuard guard(input.device().index);
  std::vector<int64_t> out_sizes = detail::sizes_of(input);
  out_sizes[static_cast<std::size_t>(last)] = last_dim_size;
  // Complex to complex along all but the last dim (unnormalized), then complex to real.
  const Tensor spectrum = c2c_passes(input, std::vector<int64_t>(d.begin(), d.end() - 1), false);
  Tensor out = exec(spectrum, out_sizes, {last}, false, Kind::c2r);
  normalize(out, normalization, out_sizes, d);
  return out;
}

}  // namespace pt2run::cuda
