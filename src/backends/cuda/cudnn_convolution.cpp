// Convolutions through cuDNN 9's convolution API (deprecated in favour of the graph API, but
// shipped by every cuDNN 9 and enough for aten.convolution; Debian has no cudnn-frontend).

#include "backends/cuda/cudnn_convolution.h"

#include <algorithm>
#include <atomic>
#include <tuple>
#include <utility>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "backends/cuda/bias_kernels.h"
#include "backends/cuda/cudnn_library.h"
#include "backends/cuda/cudnn_plans.h"
#include "backends/cuda/streams.h"
#include "core/layout.h"
#include "pt2run/cuda.h"

#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace pt2run::cuda {
namespace {

std::atomic<bool> g_allow_tf32{true};  // torch.backends.cudnn.allow_tf32 defaults to True

// Descriptors live for one call (creating them costs well under a microsecond).
template <typename T, auto Destroy>
struct Descriptor {
  T value = nullptr;
  Descriptor() = default;
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (value) (void)(Cudnn::get().*Destroy)(value);
  }
};
using TensorDescriptor = Descriptor<cudnnTensorDescriptor_t, &Cudnn::destroy_tensor>;
using FilterDescriptor = Descriptor<cudnnFilterDescriptor_t, &Cudnn::destroy_filter>;
using ConvDescriptor = Descriptor<cudnnConvolutionDescriptor_t, &Cudnn::destroy_conv>;

cudnnDataType_t data_type(DType dtype) {
  switch (dtype) {
    case DType::Float32: return CUDNN_DATA_FLOAT;
    case DType::Float16: return CUDNN_DATA_HALF;
    case DType::BFloat16: return CUDNN_DATA_BFLOAT16;
    default:
      detail::fail(ErrorCode::NotImplemented, "convolution on CUDA in ", dtype_name(dtype),
                   " (float32, float16 and bfloat16 are supported)");
  }
}

std::vector<int> to_int(const std::vector<int64_t>& v) {
  std::vector<int> out;
  for (int64_t x : v) {
    PT2RUN_CHECK(x <= INT32_MAX, NotImplemented, "convolution on CUDA with a size or stride of ", x,
                 " (cuDNN takes 32-bit values)");
    out.push_back(static_cast<int>(x));
  }
  return out;
}

using detail::sizes_of;

// `t` laid out densely as the convolution's memory format: itself when it already is.
Tensor in_format(const Tensor& t, bool channels_last) {
  std::vector<int64_t> sizes = sizes_of(t);
  std::vector<int64_t> strides(sizes.size(), 1);
  if (channels_last) {
    strides = detail::channels_last_strides(sizes);
  } else {
    for (std::size_t d = sizes.size() - 1; d-- > 0;) strides[d] = strides[d + 1] * std::max<int64_t>(sizes[d + 1], 1);
  }
  bool same = true;
  for (std::size_t d = 0; d < sizes.size(); ++d) same = same && (sizes[d] == 1 || t.strides()[d] == strides[d]);
  if (same) return t;
  Tensor copy = Tensor::empty_strided(sizes, strides, t.dtype(), t.device());
  copy.copy_(t);
  return copy;
}

int64_t pointer_alignment(const void* p) {
  const auto address = reinterpret_cast<uintptr_t>(p);
  int64_t alignment = 16;
  while (alignment > 1 && address % static_cast<uintptr_t>(alignment) != 0) alignment /= 2;
  return alignment;
}

// Dims and strides as cuDNN's descriptors take them: at least 4-d, a 1-d convolution's tensors
// getting a height of 1.
std::pair<std::vector<int64_t>, std::vector<int64_t>> descriptor_layout(const Tensor& t) {
  std::vector<int64_t> sizes = sizes_of(t), strides(t.strides().begin(), t.strides().end());
  if (sizes.size() == 3)  // [N, C, 1, W], the height's stride spanning the row
    return {{sizes[0], sizes[1], 1, sizes[2]}, {strides[0], strides[1], strides[2] * sizes[2], strides[2]}};
  return {sizes, strides};
}

void set_tensor(const TensorDescriptor& desc, const Tensor& t, cudnnDataType_t type) {
  const auto [sizes, strides] = descriptor_layout(t);
  auto dims = to_int(sizes), steps = to_int(strides);
  check_cudnn(Cudnn::get().set_tensor(desc.value, type, static_cast<int>(dims.size()), dims.data(), steps.data()),
              "cudnnSetTensorNdDescriptor");
}

// The algorithm cuDNN's heuristics pick depends only on the convolution's signature: ranking
// costs far more than the convolution itself for small inputs, so it runs once per signature.
struct AlgorithmChoice {
  int algorithm = 0;
  std::size_t workspace_bytes = 0;
};
using AlgorithmKey = std::vector<int64_t>;

AlgorithmKey algorithm_key(int32_t device, const Tensor& input, const Tensor& weight, const Tensor& out,
                           const detail::ConvolutionParams& p, cudnnMathType_t math) {
  AlgorithmKey key{device, dtype_code(input.dtype()), p.transposed, p.groups, static_cast<int64_t>(math)};
  for (const Tensor* t : {&input, &weight, &out}) {
    key.push_back(t->dim());
    key.insert(key.end(), t->sizes().begin(), t->sizes().end());
    key.insert(key.end(), t->strides().begin(), t->strides().end());
  }
  for (const auto* values : {&p.stride, &p.padding, &p.dilation}) key.insert(key.end(), values->begin(), values->end());
  return key;
}

std::mutex g_algorithms_mutex;
std::map<AlgorithmKey, AlgorithmChoice>& algorithms() {
  static auto* known = new std::map<AlgorithmKey, AlgorithmChoice>();
  return *known;
}

std::optional<AlgorithmChoice> cached_algorithm(const AlgorithmKey& key) {
  std::lock_guard lock(g_algorithms_mutex);
  auto it = algorithms().find(key);
  if (it == algorithms().end()) return std::nullopt;
  return it->second;
}

void remember_algorithm(const AlgorithmKey& key, AlgorithmChoice choice) {
  std::lock_guard lock(g_algorithms_mutex);
  algorithms()[key] = choice;
}

std::vector<AlgorithmChoice> ranked_algorithms(cudnnHandle_t handle, const TensorDescriptor& in,
                                               const FilterDescriptor& filter, const ConvDescriptor& conv,
                                               const TensorDescriptor& out, bool transposed) {
  const Cudnn& api = Cudnn::get();
  constexpr int kMaxAlgorithms = 8;
  int found = 0;
  std::vector<AlgorithmChoice> ranked;
  if (!transposed) {
    cudnnConvolutionFwdAlgoPerf_t perf[kMaxAlgorithms];
    check_cudnn(api.forward_algorithms(handle, in.value, filter.value, conv.value, out.value, kMaxAlgorithms, &found, perf),
          "cudnnGetConvolutionForwardAlgorithm_v7");
    for (int i = 0; i < found; ++i) {
      std::size_t bytes = 0;
      if (perf[i].status == CUDNN_STATUS_SUCCESS &&
          api.forward_workspace(handle, in.value, filter.value, conv.value, out.value, perf[i].algo, &bytes) ==
              CUDNN_STATUS_SUCCESS)
        ranked.push_back({static_cast<int>(perf[i].algo), bytes});
    }
  } else {
    cudnnConvolutionBwdDataAlgoPerf_t perf[kMaxAlgorithms];
    check_cudnn(api.backward_data_algorithms(handle, filter.value, in.value, conv.value, out.value, kMaxAlgorithms, &found,
                                       perf),
          "cudnnGetConvolutionBackwardDataAlgorithm_v7");
    for (int i = 0; i < found; ++i) {
      std::size_t bytes = 0;
      if (perf[i].status == CUDNN_STATUS_SUCCESS &&
          api.backward_data_workspace(handle, filter.value, in.value, conv.value, out.value, perf[i].algo, &bytes) ==
              CUDNN_STATUS_SUCCESS)
        ranked.push_back({static_cast<int>(perf[i].algo), bytes});
    }
  }
  return ranked;
}

// The legacy convolution API, for signatures the graph API has no plan for: it plans on every
// call (tens of microseconds of host time), so it is the fallback only.
void legacy_convolution(cudnnHandle_t handle, const Tensor& input, const Tensor& weight, const Tensor& out,
                        const detail::ConvolutionParams& p, bool channels_last, cudnnDataType_t type,
                        const ConvolutionSignature& signature) {
  const Cudnn& api = Cudnn::get();
  const int32_t device = out.device().index;
  // The convolution's "x" and "y" in cuDNN's forward terms: for a transposed convolution
  // (cuDNN's backward data) our input is its dy and our output its dx.
  TensorDescriptor in_desc, out_desc;
  FilterDescriptor filter;
  ConvDescriptor conv;
  check_cudnn(api.create_tensor(&in_desc.value), "cudnnCreateTensorDescriptor");
  check_cudnn(api.create_tensor(&out_desc.value), "cudnnCreateTensorDescriptor");
  check_cudnn(api.create_filter(&filter.value), "cudnnCreateFilterDescriptor");
  check_cudnn(api.create_conv(&conv.value), "cudnnCreateConvolutionDescriptor");
  set_tensor(in_desc, input, type);
  set_tensor(out_desc, out, type);
  auto filter_dims = to_int(descriptor_layout(weight).first);
  check_cudnn(api.set_filter(filter.value, type, channels_last ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW,
                       static_cast<int>(filter_dims.size()), filter_dims.data()),
        "cudnnSetFilterNdDescriptor");
  auto pads = to_int(signature.padding), strides = to_int(signature.stride), dilations = to_int(signature.dilation);
  // Accumulate in float32 for every input type, as torch does.
  check_cudnn(api.set_conv(conv.value, static_cast<int>(pads.size()), pads.data(), strides.data(), dilations.data(),
                     CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
        "cudnnSetConvolutionNdDescriptor");
  check_cudnn(api.set_groups(conv.value, static_cast<int>(p.groups)), "cudnnSetConvolutionGroupCount");
  const cudnnMathType_t math = type != CUDNN_DATA_FLOAT ? CUDNN_TENSOR_OP_MATH
                               : g_allow_tf32.load(std::memory_order_relaxed) ? CUDNN_DEFAULT_MATH
                                                                              : CUDNN_FMA_MATH;
  check_cudnn(api.set_math(conv.value, math), "cudnnSetConvolutionMathType");

  const float one = 1.0f, zero = 0.0f;
  cudnnStatus_t last = CUDNN_STATUS_NOT_SUPPORTED;
  // Runs one algorithm; false when its workspace cannot be had or cuDNN refuses it.
  auto run_with = [&](int algorithm, std::size_t workspace_bytes) {
    Tensor workspace;
    if (workspace_bytes > 0) {
      try {
        workspace = Tensor::empty({static_cast<int64_t>(workspace_bytes)}, DType::UInt8, out.device());
      } catch (const Error& e) {
        if (e.code() != ErrorCode::OutOfMemory) throw;
        return false;  // try an algorithm that needs less
      }
    }
    void* ws = workspace.defined() ? workspace.data_ptr() : nullptr;
    if (!p.transposed) {
      last = api.forward(handle, &one, in_desc.value, input.data_ptr(), filter.value, weight.data_ptr(), conv.value,
                         static_cast<cudnnConvolutionFwdAlgo_t>(algorithm), ws, workspace_bytes, &zero,
                         out_desc.value, out.data_ptr());
    } else {
      last = api.backward_data(handle, &one, filter.value, weight.data_ptr(), in_desc.value, input.data_ptr(),
                               conv.value, static_cast<cudnnConvolutionBwdDataAlgo_t>(algorithm), ws,
                               workspace_bytes, &zero, out_desc.value, out.data_ptr());
    }
    return last == CUDNN_STATUS_SUCCESS;
  };
  const AlgorithmKey key = algorithm_key(device, input, weight, out, p, math);
  bool done = false;
  if (auto cached = cached_algorithm(key)) done = run_with(cached->algorithm, cached->workspace_bytes);
  if (!done) {
    // cuDNN ranks its algorithms by heuristics (as torch with cudnn.benchmark off); the first
    // that runs is kept for this signature, so later calls skip the ranking.
    for (const AlgorithmChoice& choice : ranked_algorithms(handle, in_desc, filter, conv, out_desc, p.transposed)) {
      if (run_with(choice.algorithm, choice.workspace_bytes)) {
        remember_algorithm(key, choice);
        done = true;
        break;
      }
    }
  }
  PT2RUN_CHECK(done, NotImplemented, "cuDNN has no ", p.transposed ? "transposed " : "", "convolution for input ",
               input.describe(), " and weight ", weight.describe(), " (last status: ",
               api.error_string(last), ")");
}

}  // namespace

Tensor convolution(const Tensor& input_given, const Tensor& weight_given, const Tensor* bias,
                   const detail::ConvolutionParams& given) {
  const detail::ConvolutionParams p = detail::expand_convolution_params(given, input_given.dim());
  detail::validate_convolution(input_given, weight_given, bias, p);
  PT2RUN_CHECK(input_given.device().type == DeviceType::CUDA, DeviceMismatch,
               "convolution: the CUDA backend got tensors on ", input_given.device().str());
  const int32_t device = input_given.device().index;
  DeviceGuard guard(device);
  const bool channels_last = input_given.dim() > 3 && detail::convolution_channels_last(input_given, weight_given);
  const std::vector<int64_t> out_sizes = detail::convolution_output_sizes(input_given, weight_given, p);
  Tensor out = channels_last
                   ? Tensor::empty_strided(out_sizes, detail::channels_last_strides(out_sizes), input_given.dtype(),
                                           input_given.device())
                   : Tensor::empty(out_sizes, input_given.dtype(), input_given.device());
  if (out.numel() == 0) return out;
  const Tensor input = in_format(input_given, channels_last);
  const Tensor weight = in_format(weight_given, channels_last);
  const cudnnDataType_t type = data_type(input.dtype());
  cudnnHandle_t handle = cudnn_handle(device, current_stream(device));

  // The convolution in cuDNN's terms: 4-d or 5-d (a 1-d convolution as height 1).
  ConvolutionSignature signature;
  signature.transposed = p.transposed;
  signature.type = type;
  signature.allow_tf32 = g_allow_tf32.load(std::memory_order_relaxed);
  signature.device = device;
  signature.alignment = std::min({pointer_alignment(input.data_ptr()), pointer_alignment(weight.data_ptr()),
                                  pointer_alignment(out.data_ptr())});
  std::tie(signature.x_dims, signature.x_strides) = descriptor_layout(input);
  std::tie(signature.w_dims, signature.w_strides) = descriptor_layout(weight);
  std::tie(signature.y_dims, signature.y_strides) = descriptor_layout(out);
  signature.padding = p.padding;
  signature.stride = p.stride;
  signature.dilation = p.dilation;
  if (signature.padding.size() == 1) {  // the height-1 dimension of a 1-d convolution
    signature.padding.insert(signature.padding.begin(), 0);
    signature.stride.insert(signature.stride.begin(), 1);
    signature.dilation.insert(signature.dilation.begin(), 1);
  }
  bool done = false;
  if (auto plan = ConvolutionPlan::find(handle, signature)) {
    Tensor workspace;
    if (plan->workspace_bytes() > 0)
      workspace = Tensor::empty({plan->workspace_bytes()}, DType::UInt8, out.device());
    done = plan->execute(handle, input.data_ptr(), weight.data_ptr(), out.data_ptr(),
                         workspace.defined() ? workspace.data_ptr() : nullptr) == CUDNN_STATUS_SUCCESS;
    if (!done) ConvolutionPlan::refuse(signature);
  }
  if (!done) legacy_convolution(handle, input, weight, out, p, channels_last, type, signature);
  if (bias) {
    int64_t spatial = 1;
    for (std::size_t d = 2; d < out_sizes.size(); ++d) spatial *= out_sizes[d];
    const Tensor b = bias->is_contiguous() ? *bias : bias->contiguous();
    launch_add_channel_bias(out.data_ptr(), b.data_ptr(), out.dtype(), out.numel(), out_sizes[1],
                            channels_last ? 1 : spatial, current_stream(device));
  }
  return out;
}

void set_allow_tf32_convolution(bool allow) { g_allow_tf32.store(allow, std::memory_order_relaxed); }
bool allow_tf32_convolution() { return g_allow_tf32.load(std::memory_order_relaxed); }

}  // namespace pt2run::cuda
