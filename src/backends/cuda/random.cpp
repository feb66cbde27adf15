#include "backends/cuda/random.h"

#include <algorithm>
#include <mutex>
#include <numeric>

#include "backends/cuda/cuda_check.h"
#include "backends/cuda/random_kernels.h"
#include "backends/cuda/streams.h"
#include "core/check.h"
#include "core/philox_state.h"

namespace pt2run::cuda {
namespace {

RandomOut out_type(DType dtype, const char* op) {
  switch (dtype) {
    case DType::Float32: return RandomOut::f32;
    case DType::Float64: return RandomOut::f64;
    case DType::Float16: return RandomOut::f16;
    case DType::BFloat16: return RandomOut::bf16;
    case DType::Int64: return RandomOut::i64;
    case DType::Int32: return RandomOut::i32;
    case DType::Int16: return RandomOut::i16;
    case DType::Int8: return RandomOut::i8;
    case DType::UInt8: return RandomOut::u8;
    case DType::Bool: return RandomOut::b8;
    default:
      detail::fail(ErrorCode::DTypeMismatch, op, " on CUDA does not take ", dtype_name(dtype));
  }
}

// torch's calc_execution_policy: blocks of 256, at most as many as the device keeps resident.
unsigned grid_for(int32_t device, int64_t numel) {
  static std::mutex mutex;
  static std::vector<unsigned> resident;  // per device: SMs * (threads per SM / 256)
  unsigned limit = 0;
  {
    std::lock_guard lock(mutex);
    if (resident.size() <= static_cast<std::size_t>(device)) resident.resize(static_cast<std::size_t>(device) + 1, 0);
    if (resident[static_cast<std::size_t>(device)] == 0) {
      int sms = 0, threads = 0;
      PT2RUN_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
      PT2RUN_CUDA_CHECK(cudaDeviceGetAttribute(&threads, cudaDevAttrMaxThreadsPerMultiProcessor, device));
      resident[static_cast<std::size_t>(device)] = static_cast<unsigned>(sms) * (static_cast<unsigned>(threads) / kRandomBlock);
    }
    limit = resident[static_cast<std::size_t>(device)];
  }
  const uint64_t blocks = (static_cast<uint64_t>(numel) + kRandomBlock - 1) / kRandomBlock;
  return static_cast<unsigned>(std::min<uint64_t>(limit, blocks));
}

// A permutation of a contiguous layout: memory order is then the order torch's TensorIterator
// visits (it coalesces such an output into one run from its first element).
bool dense(const Tensor& t) {
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < t.dim(); ++d)
    if (t.size(d) != 1) dims.push_back(d);
  std::stable_sort(dims.begin(), dims.end(), [&](int64_t a, int64_t b) { return t.stride(a) < t.stride(b); });
  int64_t expected = 1;
  for (int64_t d : dims) {
    if (t.stride(d) != expected) return false;
    expected *= t.size(d);
  }
  return true;
}

void fill(const Tensor& out, RandomLaunch launch, const char* op) {
  PT2RUN_CHECK(out.device().type == DeviceType::CUDA, DeviceMismatch, op, " on CUDA needs a CUDA tensor, got ",
               out.describe());
  launch.out_type = out_type(out.dtype(), op);
  launch.numel = out.numel();
  if (launch.numel == 0) return;  // torch draws nothing, and reserves nothing
  const int32_t device = out.device().index;
  DeviceGuard guard(device);
  const cudaStream_t stream = current_stream(device);
  cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
  PT2RUN_CUDA_CHECK(cudaStreamIsCapturing(stream, &capture));
  PT2RUN_CHECK(capture == cudaStreamCaptureStatusNone, NotImplemented, op,
               " inside a CUDA graph capture: each call draws from a new Philox offset, which a replay would "
               "repeat; run this model without CUDA graphs");
  launch.grid = grid_for(device, launch.numel);
  const auto unroll = static_cast<uint64_t>(random_unroll(launch.draw, launch.out_type, launch.range));
  const uint64_t per_thread =
      (static_cast<uint64_t>(launch.numel) - 1) / (uint64_t{kRandomBlock} * launch.grid * unroll) + 1;
  const detail::PhiloxReservation r = detail::reserve_philox(device, per_thread * 4);
  launch.seed = r.seed;
  launch.offset = r.offset;
  // The n-th value goes to the n-th element in memory order when out is dense (torch's
  // TensorIterator walks it as one run); otherwise to a dense copy in out's stride order.
  const bool in_place = dense(out);
  Tensor target = out;
  std::vector<int64_t> perm(static_cast<std::size_t>(out.dim()));
  if (!in_place) {
    std::iota(perm.begin(), perm.end(), 0);
    std::stable_sort(perm.begin(), perm.end(), [&](int64_t a, int64_t b) { return out.stride(a) > out.stride(b); });
    std::vector<int64_t> sizes;
    for (int64_t d : perm) sizes.push_back(out.size(d));
    target = Tensor::empty(sizes, out.dtype(), out.device());
  }
  launch.out = target.data_ptr();
  launch_random(launch, stream);
  if (!in_place) {
    std::vector<int64_t> sizes, strides;
    for (int64_t d : perm) sizes.push_back(out.size(d)), strides.push_back(out.stride(d));
    out.as_strided(sizes, strides, out.storage_offset()).copy_(target);
  }
}

void require_floating(const Tensor& out, const char* op) {
  PT2RUN_CHECK(is_floating_point(out.dtype()), DTypeMismatch, op, " needs a floating tensor, got ", out.describe());
}

}  // namespace

void uniform(const Tensor& out, double from, double to) {
  require_floating(out, "uniform_");
  PT2RUN_CHECK(from <= to, InvalidArgument, "uniform_ expects from <= to, got from=", from, " to=", to);
  RandomLaunch l;
  l.draw = Draw::uniform;
  l.a = from;
  l.b = to;
  fill(out, l, "uniform_");
}

void normal(const Tensor& out, double mean, double std) {
  require_floating(out, "normal_");
  PT2RUN_CHECK(std >= 0.0, InvalidArgument, "normal expects std >= 0.0, got ", std);
  RandomLaunch l;
  l.draw = Draw::normal;
  l.a = mean;
  l.b = std;
  fill(out, l, "normal_");
}

void randint(const Tensor& out, int64_t low, int64_t high) {
  PT2RUN_CHECK(low < high, InvalidArgument, "random_ expects 'from' to be less than 'to', but got from=", low,
               " >= to=", high);
  RandomLaunch l;
  l.draw = Draw::int_range;
  l.range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  l.base = low;
  fill(out, l, "random_");
}

void bernoulli(const Tensor& out, double p) {
  PT2RUN_CHECK(p >= 0.0 && p <= 1.0, InvalidArgument, "bernoulli_ expects p to be in [0, 1], but got p=", p);
  RandomLaunch l;
  l.draw = Draw::bernoulli;
  l.a = p;
  fill(out, l, "bernoulli_");
}

void exponential(const Tensor& out, double lambd) {
  require_floating(out, "exponential_");
  PT2RUN_CHECK(lambd > 0.0, InvalidArgument, "exponential_ expects lambda > 0.0, but found lambda=", lambd);
  RandomLaunch l;
  l.draw = Draw::exponential;
  l.a = lambd;
  fill(out, l, "exponential_");
}

}  // namespace pt2run::cuda
