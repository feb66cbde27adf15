// cuDNN convolutions and the fused attention kernel against pt2run's CPU backend (itself
// checked against torch by the corpus), through the shim functions the models call: every
// parameter family, every dtype, the output layouts AOTInductor plans for, and clean errors.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "cuda/cuda_testing.h"
#include "pt2run/random.h"
#include "shim/aoti_shim.h"
#include "shim/aoti_shim_cuda.h"
#include "shim/shim_guard.h"

namespace pt2run {
namespace {

AtenTensorHandle handle(const Tensor& t) { return reinterpret_cast<AtenTensorHandle>(new Tensor(t)); }
Tensor take(AtenTensorHandle h) {
  Tensor t = *reinterpret_cast<Tensor*>(h);
  delete reinterpret_cast<Tensor*>(h);
  return t;
}

Tensor channels_last(const Tensor& t) {
  std::vector<int64_t> sizes = sizes_of(t), strides(sizes.size());
  int64_t stride = 1;
  strides[1] = stride;
  stride *= sizes[1];
  for (std::size_t d = sizes.size(); d-- > 2;) {
    strides[d] = stride;
    stride *= sizes[d];
  }
  strides[0] = stride;
  Tensor out = Tensor::empty_strided(sizes, strides, t.dtype(), t.device());
  out.copy_(t);
  return out;
}

struct Conv {
  const char* name;
  std::vector<int64_t> x, w;
  std::vector<int64_t> stride, padding, dilation;
  bool transposed;
  std::vector<int64_t> output_padding;
  int64_t groups;
  bool bias;
  bool channels_last;
};

// Returns the result of aoti_torch_{cpu,cuda}_convolution (empty on a nonzero code).
Tensor convolve(bool cuda, const Tensor& x, const Tensor& w, const Tensor* b, const Conv& c) {
  AtenTensorHandle hx = handle(x), hw = handle(w), hb = b ? handle(*b) : nullptr, out = nullptr;
  auto fn = cuda ? aoti_torch_cuda_convolution : aoti_torch_cpu_convolution;
  AOTITorchError rc = fn(hx, hw, b ? &hb : nullptr, c.stride.data(), static_cast<int64_t>(c.stride.size()),
                         c.padding.data(), static_cast<int64_t>(c.padding.size()), c.dilation.data(),
                         static_cast<int64_t>(c.dilation.size()), c.transposed, c.output_padding.data(),
                         static_cast<int64_t>(c.output_padding.size()), c.groups, &out);
  take(hx);
  take(hw);
  if (hb) take(hb);
  return rc == 0 ? take(out) : Tensor();
}

const std::vector<Conv> kConvs = {
    {"grouped strided dilated", {2, 6, 9, 11}, {8, 3, 3, 3}, {2, 1}, {1, 2}, {1, 2}, false, {0, 0}, 2, true, false},
    {"channels-last 1x1", {2, 6, 7, 5}, {4, 6, 1, 1}, {1, 1}, {0, 0}, {1, 1}, false, {0, 0}, 1, true, true},
    {"depthwise", {2, 8, 10, 10}, {8, 1, 3, 3}, {1}, {1}, {1}, false, {0}, 8, false, false},
    {"transposed", {2, 4, 5, 7}, {4, 3, 3, 3}, {2, 2}, {1, 1}, {1, 1}, true, {1, 0}, 1, true, false},
    {"transposed grouped", {1, 4, 6, 6}, {4, 2, 2, 2}, {2, 2}, {0, 0}, {1, 1}, true, {0, 0}, 2, false, false},
    {"1-d", {3, 4, 20}, {5, 4, 3}, {2}, {1}, {2}, false, {0}, 1, true, false},
    {"3-d", {1, 2, 5, 6, 7}, {3, 2, 2, 3, 3}, {1, 1, 2}, {0, 1, 1}, {1, 1, 1}, false, {0, 0, 0}, 1, true, false},
};

TEST(CudaConvolution, MatchesTheCpuBackendInEveryDtype) {
  PT2RUN_REQUIRE_GPU();
  const bool tf32 = cuda::allow_tf32_convolution();
  EXPECT_TRUE(tf32) << "torch's default is TF32 convolutions";
  cuda::set_allow_tf32_convolution(false);
  struct Type {
    DType dtype;
    double tolerance;
  };
  for (Type type : {Type{DType::Float32, 1e-4}, Type{DType::Float16, 2e-2}, Type{DType::BFloat16, 1e-1}}) {
    for (const Conv& c : kConvs) {
      SCOPED_TRACE(std::string(c.name) + " " + std::string(dtype_name(type.dtype)));
      Tensor x = random_matrix(c.x, 1), w = random_matrix(c.w, 2);
      const int64_t out_channels = c.transposed ? c.w[1] * c.groups : c.w[0];
      Tensor b = random_matrix({out_channels}, 3);
      if (c.channels_last) x = channels_last(x);
      Tensor expected = convolve(false, x, w, c.bias ? &b : nullptr, c);
      ASSERT_TRUE(expected.defined());
      Tensor dx = to_device(x.to(type.dtype)), dw = to_device(w.to(type.dtype)), db = to_device(b.to(type.dtype));
      if (c.channels_last) dx = channels_last(dx);
      Tensor got = convolve(true, dx, dw, c.bias ? &db : nullptr, c);
      ASSERT_TRUE(got.defined()) << shim::last_error();
      ASSERT_EQ(sizes_of(got), sizes_of(expected));
      // The layout AOTInductor planned for: channels-last in, channels-last out.
      EXPECT_EQ(std::vector<int64_t>(got.strides().begin(), got.strides().end()),
                std::vector<int64_t>(expected.strides().begin(), expected.strides().end()));
      EXPECT_LT(max_diff(to_host(got).to(DType::Float32), expected), type.tolerance);
    }
  }
  // With TF32 (torch's default) the products keep about 10 mantissa bits.
  cuda::set_allow_tf32_convolution(true);
  const Conv& c = kConvs[0];
  Tensor x = random_matrix(c.x, 1), w = random_matrix(c.w, 2), b = random_matrix({8}, 3);
  Tensor expected = convolve(false, x, w, &b, c);
  Tensor db = to_device(b);
  EXPECT_LT(max_diff(to_host(convolve(true, to_device(x), to_device(w), &db, c)), expected), 5e-2);
  cuda::set_allow_tf32_convolution(tf32);
}

TEST(CudaConvolution, BadArgumentsAreErrorsNotCrashes) {
  PT2RUN_REQUIRE_GPU();
  const Conv& c = kConvs[0];
  Tensor x = to_device(random_matrix(c.x, 1)), w = random_matrix(c.w, 2);
  EXPECT_FALSE(convolve(true, x, w, nullptr, c).defined());  // weight on the host
  EXPECT_NE(shim::last_error().find("device"), std::string::npos);
  Conv wrong_groups = c;
  wrong_groups.groups = 4;
  EXPECT_FALSE(convolve(true, x, to_device(w), nullptr, wrong_groups).defined());
  EXPECT_FALSE(convolve(true, to_device(random_matrix(c.x, 1).to(DType::Int64)),
                        to_device(w.to(DType::Int64)), nullptr, c)
                   .defined());
}

// ---- attention ---------------------------------------------------------------------------

struct Attention {
  const char* name;
  int64_t B, H, L, S, E, Ev;
  bool causal;
  int mask;  // 0 none, 1 additive, 2 bool
};

struct AttentionResult {
  Tensor output, lse;
};

// The CPU kernel (flash_attention_for_cpu) as the reference; lse as [B, H, L]. It takes one
// head size for all three, as torch's does: where the value's differs, every head is
// zero-padded to the larger size (zeros add nothing to q k^T, and the scale stays 1/sqrt(E))
// and the output is cut back to the value's.
AttentionResult cpu_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor* mask, bool causal) {
  const int64_t E = q.size(3), Ev = v.size(3), D = std::max(E, Ev);
  auto padded = [D](const Tensor& t) {
    if (t.size(3) == D) return t;
    EXPECT_EQ(t.dtype(), DType::Float32);
    const Tensor c = t.contiguous();
    Tensor out = Tensor::zeros({t.size(0), t.size(1), t.size(2), D}, DType::Float32);
    const int64_t width = c.size(3);
    for (int64_t row = 0; row < c.numel() / width; ++row)
      for (int64_t j = 0; j < width; ++j) out.data<float>()[row * D + j] = c.data<float>()[row * width + j];
    return out;
  };
  AtenTensorHandle hq = handle(padded(q)), hk = handle(padded(k)), hv = handle(padded(v));
  AtenTensorHandle hm = mask ? handle(*mask) : nullptr;
  AtenTensorHandle out = nullptr, lse = nullptr;
  double scale = 1.0 / std::sqrt(static_cast<double>(E));
  AOTITorchError rc = aoti_torch_cpu__scaled_dot_product_flash_attention_for_cpu(
      hq, hk, hv, 0.0, causal, mask ? &hm : nullptr, &scale, &out, &lse);
  for (AtenTensorHandle h : {hq, hk, hv}) take(h);
  if (hm) take(hm);
  if (rc != 0) {
    ADD_FAILURE() << shim::last_error();
    return {};
  }
  Tensor output = take(out);
  if (Ev < D) {
    const int64_t B = output.size(0), H = output.size(1), L = output.size(2);
    output = output.contiguous().as_strided({B, H, L, Ev}, {H * L * D, L * D, D, 1}, 0);
  }
  return {output, take(lse)};
}

enum class Flavor { Efficient, Flash, Cudnn };

AttentionResult cuda_attention(Flavor flavor, const Tensor& q, const Tensor& k, const Tensor& v, const Tensor* mask,
                               bool causal, double dropout = 0.0, AOTITorchError* code = nullptr) {
  AtenTensorHandle hq = handle(q), hk = handle(k), hv = handle(v), hm = mask ? handle(*mask) : nullptr;
  AtenTensorHandle r[9] = {};
  int64_t max_q = 0, max_k = 0;
  AOTITorchError rc = 0;
  switch (flavor) {
    case Flavor::Efficient:
      rc = aoti_torch_cuda__scaled_dot_product_efficient_attention(hq, hk, hv, mask ? &hm : nullptr, 1, dropout,
                                                                   causal, nullptr, &r[0], &r[1], &r[2], &r[3]);
      break;
    case Flavor::Flash:
      rc = aoti_torch_cuda__scaled_dot_product_flash_attention(hq, hk, hv, dropout, causal, 0, nullptr, &r[0], &r[1],
                                                               &r[2], &r[3], &max_q, &max_k, &r[6], &r[7], &r[8]);
      break;
    case Flavor::Cudnn:
      rc = aoti_torch_cuda__scaled_dot_product_cudnn_attention(hq, hk, hv, mask ? &hm : nullptr, 1, dropout, causal,
                                                               0, nullptr, &r[0], &r[1], &r[2], &r[3], &max_q, &max_k,
                                                               &r[6], &r[7], &r[8]);
      break;
  }
  for (AtenTensorHandle h : {hq, hk, hv}) take(h);
  if (hm) take(hm);
  if (code) *code = rc;
  if (rc != 0) return {};
  if (flavor != Flavor::Efficient) {
    EXPECT_EQ(max_q, q.size(2));
    EXPECT_EQ(max_k, k.size(2));
  }
  AttentionResult result{take(r[0]), take(r[1])};
  for (int i = 2; i < 9; ++i)
    if (r[i]) take(r[i]);
  return result;
}

// lse rows of the reference [B, H, L] against the first L entries of each [B, H, *] row.
double lse_diff(const Tensor& got, const Tensor& expected) {
  Tensor g = to_host(got).contiguous(), e = expected.contiguous();
  const int64_t rows = e.size(0) * e.size(1), L = e.size(2), pitch = g.numel() / rows;
  double worst = 0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < L; ++i)
      worst = std::max(worst, std::abs(static_cast<double>(g.data<float>()[r * pitch + i]) - e.data<float>()[r * L + i]));
  return worst;
}

TEST(CudaAttention, EveryFlavorMatchesTheCpuKernel) {
  PT2RUN_REQUIRE_GPU();
  const std::vector<Attention> cases = {
      {"plain", 2, 3, 37, 45, 64, 64, false, 0},
      {"causal", 1, 4, 50, 50, 32, 32, true, 0},
      {"additive mask", 2, 2, 33, 70, 64, 64, false, 1},
      {"bool mask", 1, 2, 17, 40, 128, 128, false, 2},
      {"head dim 256", 1, 2, 20, 36, 256, 256, false, 0},
      {"value dim differs", 1, 3, 9, 31, 48, 80, false, 0},
      // Long enough for the GEMM path.
      {"gemms", 2, 3, 160, 200, 64, 64, false, 0},
      {"gemms causal", 1, 2, 130, 130, 32, 32, true, 0},
      {"gemms additive mask", 2, 2, 128, 150, 64, 64, false, 1},
      {"gemms bool mask", 2, 2, 140, 128, 64, 48, false, 2},
  };
  struct Type {
    DType dtype;
    double tolerance;
  };
  for (Type type : {Type{DType::Float32, 1e-4}, Type{DType::Float16, 1e-2}, Type{DType::BFloat16, 3e-2}}) {
    for (const Attention& c : cases) {
      for (Flavor flavor : {Flavor::Efficient, Flavor::Flash, Flavor::Cudnn}) {
        if (flavor == Flavor::Flash && (c.mask != 0 || c.Ev != c.E)) continue;  // flash takes neither
        SCOPED_TRACE(std::string(c.name) + " " + std::string(dtype_name(type.dtype)) + " flavor " +
                     std::to_string(static_cast<int>(flavor)));
        // q as the [B, L, H, E] projection transposed, as models produce it.
        Tensor q = random_matrix({c.B, c.L, c.H, c.E}, 1).as_strided({c.B, c.H, c.L, c.E},
                                                                    {c.L * c.H * c.E, c.E, c.H * c.E, 1}, 0);
        Tensor k = random_matrix({c.B, c.H, c.S, c.E}, 2), v = random_matrix({c.B, c.H, c.S, c.Ev}, 3);
        Tensor mask;
        if (c.mask == 1) mask = random_matrix({c.L, c.S}, 4);
        if (c.mask == 2) {
          mask = Tensor::empty({c.B, 1, c.L, c.S}, DType::Bool);
          for (int64_t i = 0; i < mask.numel(); ++i) mask.data<bool>()[i] = (i * 7919) % 5 != 0;
        }
        // References from inputs rounded to the dtype, so only the kernel's rounding differs.
        auto rounded = [&](const Tensor& t) { return t.to(type.dtype).to(DType::Float32); };
        Tensor mask_ref = c.mask == 1 ? rounded(mask) : mask;
        AttentionResult expected = cpu_attention(rounded(q), rounded(k), rounded(v), c.mask ? &mask_ref : nullptr,
                                                 c.causal);
        auto device_like = [&](const Tensor& t) {  // same layout, on the GPU, in the dtype
          Tensor d = Tensor::empty_strided(sizes_of(t), {t.strides().begin(), t.strides().end()}, type.dtype,
                                           Device::cuda(0));
          d.copy_(to_device(t.to(type.dtype)));
          return d;
        };
        Tensor dq = device_like(q), dk = device_like(k), dv = device_like(v);
        Tensor dmask = c.mask ? to_device(c.mask == 1 ? mask.to(type.dtype) : mask) : Tensor();
        AttentionResult got = cuda_attention(flavor, dq, dk, dv, c.mask ? &dmask : nullptr, c.causal);
        ASSERT_TRUE(got.output.defined()) << shim::last_error();
        EXPECT_LT(max_diff(to_host(got.output).to(DType::Float32), expected.output.contiguous()), type.tolerance);
        EXPECT_LT(lse_diff(got.lse, expected.lse), 1e-3);
        // The layouts torch's meta functions promise: efficient always [B, L, H, Ev] transposed;
        // flash and cuDNN follow q, which is laid out that way here too.
        std::vector<int64_t> strides(got.output.strides().begin(), got.output.strides().end());
        EXPECT_EQ(strides, (std::vector<int64_t>{c.L * c.H * c.Ev, c.Ev, c.H * c.Ev, 1}));
      }
    }
  }
}

TEST(CudaAttention, UnsupportedRequestsAreErrors) {
  PT2RUN_REQUIRE_GPU();
  Tensor q = to_device(random_matrix({1, 2, 8, 16}, 1)), k = to_device(random_matrix({1, 2, 8, 16}, 2));
  AOTITorchError rc = 0;
  cuda_attention(Flavor::Efficient, q, k, k, nullptr, false, /*dropout=*/0.1, &rc);
  EXPECT_NE(rc, 0);
  EXPECT_NE(shim::last_error().find("dropout"), std::string::npos);
  Tensor wide = to_device(random_matrix({1, 1, 4, 512}, 3));
  cuda_attention(Flavor::Flash, wide, wide, wide, nullptr, false, 0.0, &rc);
  EXPECT_NE(rc, 0);
  Tensor short_k = to_device(random_matrix({1, 3, 8, 16}, 4));
  cuda_attention(Flavor::Cudnn, q, short_k, short_k, nullptr, false, 0.0, &rc);
  EXPECT_NE(rc, 0);
  cuda_attention(Flavor::Efficient, q, random_matrix({1, 2, 8, 16}, 5), k, nullptr, false, 0.0, &rc);
  EXPECT_NE(rc, 0);
}

}  // namespace
}  // namespace pt2run

// ---- CPU fallbacks run on host copies (shim/cuda_ops/host_staged_ops.cpp) -----------------

namespace pt2run {
namespace {

// The shim's stream guard, as generated code opens it around a run.
class OnStream {
 public:
  explicit OnStream(cudaStream_t stream) { EXPECT_EQ(aoti_torch_create_cuda_stream_guard(stream, 0, &guard_), 0); }
  ~OnStream() { aoti_torch_delete_cuda_stream_guard(guard_); }
  OnStream(const OnStream&) = delete;
  OnStream& operator=(const OnStream&) = delete;

 private:
  CUDAStreamGuardHandle guard_ = nullptr;
};

TEST(CudaHostStaged, TwinsMatchTheCpuFunctionOnTheCurrentStream) {
  PT2RUN_REQUIRE_GPU();
  Tensor x = random_matrix({4, 33}, 7);
  cudaStream_t stream = nullptr;
  ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);
  AtenTensorHandle device_x = handle(to_device(x)), host_x = handle(x);
  {
    OnStream on(stream);
    AtenTensorHandle dv = nullptr, di = nullptr, hv = nullptr, hi = nullptr;
    ASSERT_EQ(aoti_torch_cuda_topk(device_x, 5, 1, 1, 1, &dv, &di), 0) << shim::last_error();
    ASSERT_EQ(aoti_torch_cpu_topk(host_x, 5, 1, 1, 1, &hv, &hi), 0);
    Tensor values = take(dv), indices = take(di);
    EXPECT_EQ(values.device(), Device::cuda(0));
    EXPECT_EQ(max_diff(to_host(values), take(hv)), 0.0);
    EXPECT_EQ(max_diff(to_host(indices).to(DType::Float32), take(hi).to(DType::Float32)), 0.0);
    AtenTensorHandle dc = nullptr, hc = nullptr;
    ASSERT_EQ(aoti_torch_cuda_cumsum(device_x, 1, nullptr, &dc), 0) << shim::last_error();
    ASSERT_EQ(aoti_torch_cpu_cumsum(host_x, 1, nullptr, &hc), 0);
    EXPECT_EQ(max_diff(to_host(take(dc)), take(hc)), 0.0);
  }
  // Inside a capture the call is refused before it touches the stream, and the capture stays valid.
  ASSERT_EQ(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), cudaSuccess);
  AtenTensorHandle out = nullptr;
  AOTITorchError rc = 0;
  {
    OnStream on(stream);
    rc = aoti_torch_cuda_cumsum(device_x, 1, nullptr, &out);
  }
  cudaGraph_t graph = nullptr;
  EXPECT_EQ(cudaStreamEndCapture(stream, &graph), cudaSuccess);
  if (graph) cudaGraphDestroy(graph);
  EXPECT_NE(rc, 0);
  EXPECT_NE(shim::last_error().find("graph capture"), std::string::npos) << shim::last_error();
  EXPECT_EQ(out, nullptr);
  take(device_x);
  take(host_x);
  cudaStreamDestroy(stream);
}

// CUDA's bookkeeping outputs, as torch's CUDA kernel writes them (test_embedding_bag compares
// all four with eager CUDA): offset2bag per index, bag_size per bag in every mode, max_indices
// empty unless the mode is max.
TEST(CudaHostStaged, EmbeddingBagReportsWhatCudaReports) {
  PT2RUN_REQUIRE_GPU();
  Tensor ids = Tensor::empty({8}, DType::Int64), starts = Tensor::empty({3}, DType::Int64);
  const int64_t id_values[] = {1, 2, 4, 5, 4, 3, 2, 9}, start_values[] = {0, 2, 6};
  std::copy(std::begin(id_values), std::end(id_values), ids.data<int64_t>());
  std::copy(std::begin(start_values), std::end(start_values), starts.data<int64_t>());
  AtenTensorHandle w = handle(to_device(random_matrix({10, 4}, 3))), i = handle(to_device(ids)),
                   o = handle(to_device(starts));
  for (int64_t mode : {0, 1, 2}) {
    SCOPED_TRACE("mode " + std::to_string(mode));
    AtenTensorHandle out[4] = {};
    ASSERT_EQ(aoti_torch_cuda__embedding_bag(w, i, o, 0, mode, 0, nullptr, 0, 4, &out[0], &out[1], &out[2], &out[3]),
              0)
        << shim::last_error();
    Tensor pooled = take(out[0]), to_bag = to_host(take(out[1])), sizes = to_host(take(out[2])),
           max_indices = take(out[3]);
    EXPECT_EQ(pooled.device(), Device::cuda(0));
    EXPECT_EQ(std::vector<int64_t>(to_bag.data<int64_t>(), to_bag.data<int64_t>() + 8),
              (std::vector<int64_t>{0, 0, 1, 1, 1, 1, 2, 2}));
    // padding_idx 4 is not counted.
    EXPECT_EQ(std::vector<int64_t>(sizes.data<int64_t>(), sizes.data<int64_t>() + 3), (std::vector<int64_t>{2, 2, 2}));
    EXPECT_EQ(max_indices.numel(), mode == 2 ? 12 : 0);
  }
  take(w);
  take(i);
  take(o);
}

TEST(CudaHostStaged, FactoriesAndMetadataOpsStayOnTheDevice) {
  PT2RUN_REQUIRE_GPU();
  int32_t cuda_type = 1, f32 = 6;
  AtenTensorHandle window = nullptr;
  ASSERT_EQ(aoti_torch_cuda_hann_window(8, &f32, nullptr, &cuda_type, 0, nullptr, &window), 0) << shim::last_error();
  Tensor w = take(window);
  EXPECT_EQ(w.device(), Device::cuda(0));
  EXPECT_NEAR(to_host(w).data<float>()[4], 1.0f, 1e-6);
  AtenTensorHandle x = handle(to_device(random_matrix({3, 4}, 1))), permuted = nullptr;
  const int64_t dims[] = {1, 0};
  ASSERT_EQ(aoti_torch_cuda_permute(x, dims, 2, &permuted), 0);
  Tensor p = take(permuted);
  EXPECT_TRUE(p.shares_storage_with(*reinterpret_cast<Tensor*>(x)));
  const int64_t grown[] = {6, 4};
  ASSERT_EQ(aoti_torch_cuda_resize_(x, grown, 2, nullptr), 0) << shim::last_error();
  EXPECT_EQ(reinterpret_cast<Tensor*>(x)->device(), Device::cuda(0));
  take(x);
}

// cuFFT against the CPU backend's float64 FFT (itself checked against torch by the corpus):
// every kind, one and several dims (more than cuFFT's three, in passes), every normalization,
// a transposed input; the results keep torch CUDA's layout (batch dims outermost by stride).
TEST(CudaFft, TransformsMatchTheHostFft) {
  PT2RUN_REQUIRE_GPU();
  Tensor real = random_matrix({3, 4, 5, 6, 8}, 11);
  AtenTensorHandle host_real = handle(real), device_real = handle(to_device(real));
  struct Case {
    std::vector<int64_t> dims;
    int64_t norm;
    bool flag;
  };
  for (const Case& c : {Case{{-1}, 0, true}, Case{{1, 4}, 1, false}, Case{{0, 1, 2, 3, 4}, 2, true},
                        Case{{2, 0}, 2, false}}) {
    SCOPED_TRACE("dims " + std::to_string(c.dims.size()) + " norm " + std::to_string(c.norm));
    const auto n = static_cast<int64_t>(c.dims.size());
    AtenTensorHandle d = nullptr, h = nullptr;
    ASSERT_EQ(aoti_torch_cuda__fft_r2c(device_real, c.dims.data(), n, c.norm, c.flag, &d), 0) << shim::last_error();
    ASSERT_EQ(aoti_torch_cpu__fft_r2c(host_real, c.dims.data(), n, c.norm, c.flag, &h), 0) << shim::last_error();
    Tensor spectrum = take(d), expected = take(h);
    ASSERT_EQ(sizes_of(spectrum), sizes_of(expected));
    EXPECT_EQ(spectrum.device(), Device::cuda(0));
    EXPECT_LT(max_diff(to_host(spectrum), expected), 2e-4);
    // Back to complex, both directions, from the GPU result.
    AtenTensorHandle dspec = handle(spectrum), hspec = handle(expected), dc = nullptr, hc = nullptr;
    ASSERT_EQ(aoti_torch_cuda__fft_c2c(dspec, c.dims.data(), n, c.norm, c.flag, &dc), 0) << shim::last_error();
    ASSERT_EQ(aoti_torch_cpu__fft_c2c(hspec, c.dims.data(), n, c.norm, c.flag, &hc), 0) << shim::last_error();
    EXPECT_LT(max_diff(to_host(take(dc)), take(hc)), 5e-4);
    take(dspec);
    take(hspec);
  }
  // A permuted input: in the result's memory the batch dims come outermost by their stride in
  // the input (as torch's _exec_fft lays them), the transformed dim innermost.
  AtenTensorHandle t = handle(to_device(real).as_strided({6, 5, 4, 3, 8}, {8, 48, 240, 960, 1}, 0)), out = nullptr;
  const int64_t last[] = {4};
  ASSERT_EQ(aoti_torch_cuda__fft_r2c(t, last, 1, 0, 1, &out), 0) << shim::last_error();
  Tensor r = take(out);
  EXPECT_EQ(std::vector<int64_t>(r.strides().begin(), r.strides().end()), (std::vector<int64_t>{5, 30, 150, 600, 1}));
  take(t);
  take(host_real);
  take(device_real);
}

TEST(CudaFft, BadRequestsAreErrorsAndNewPlansStayOutOfCaptures) {
  PT2RUN_REQUIRE_GPU();
  AtenTensorHandle x = handle(to_device(random_matrix({4, 10}, 2))), out = nullptr;
  const int64_t twice[] = {1, 1}, outside[] = {2};
  EXPECT_NE(aoti_torch_cuda__fft_r2c(x, twice, 2, 0, 1, &out), 0);
  EXPECT_NE(shim::last_error().find("twice"), std::string::npos) << shim::last_error();
  EXPECT_NE(aoti_torch_cuda__fft_r2c(x, outside, 1, 0, 1, &out), 0);
  EXPECT_NE(aoti_torch_cuda__fft_c2c(x, outside, 1, 0, 1, &out), 0);  // a real input
  EXPECT_NE(shim::last_error().find("complex"), std::string::npos) << shim::last_error();
  const int64_t last[] = {1};
  EXPECT_NE(aoti_torch_cuda__fft_r2c(x, last, 1, 5, 1, &out), 0);  // no such normalization
  EXPECT_EQ(out, nullptr);
  // A size never planned cannot be planned inside a capture (the plan allocates); the
  // capture stays valid.
  cudaStream_t stream = nullptr;
  ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);
  AtenTensorHandle y = handle(to_device(random_matrix({3, 1234}, 3)));
  ASSERT_EQ(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), cudaSuccess);
  AOTITorchError rc = 0;
  {
    OnStream on(stream);
    rc = aoti_torch_cuda__fft_r2c(y, last, 1, 0, 1, &out);
  }
  cudaGraph_t graph = nullptr;
  EXPECT_EQ(cudaStreamEndCapture(stream, &graph), cudaSuccess);
  if (graph) cudaGraphDestroy(graph);
  EXPECT_NE(rc, 0);
  EXPECT_NE(shim::last_error().find("capture"), std::string::npos) << shim::last_error();
  cudaStreamDestroy(stream);
  take(x);
  take(y);
}

// The packed layout itself is checked against torch by the CUDA corpus (cuda_numerics packs
// with torch's CUDA _convert_weight_to_int4pack); here, the operands torch refuses.
TEST(CudaInt4Matmul, OperandsTorchRefusesAreErrors) {
  PT2RUN_REQUIRE_GPU();
  Tensor a = to_device(random_matrix({2, 64}, 1).to(DType::BFloat16));
  Tensor packed = to_device(Tensor::zeros({2, 1, 32, 2}, DType::Int32));  // n 16, k 64, 4 inner k-tiles
  Tensor qsz = to_device(Tensor::zeros({2, 16, 2}, DType::BFloat16));
  AtenTensorHandle ha = handle(a), hp = handle(packed), hq = handle(qsz), out = nullptr;
  ASSERT_EQ(aoti_torch_cuda__weight_int4pack_mm(ha, hp, 32, hq, &out), 0) << shim::last_error();
  Tensor y = take(out);
  EXPECT_EQ(sizes_of(y), (std::vector<int64_t>{2, 16}));
  EXPECT_EQ(max_diff(to_host(y), Tensor::zeros({2, 16}, DType::Float32)), 0.0);  // zero scales and zeros
  out = nullptr;
  EXPECT_NE(aoti_torch_cuda__weight_int4pack_mm(ha, hp, 48, hq, &out), 0);  // no such group size
  AtenTensorHandle wrong_k = handle(to_device(random_matrix({2, 96}, 1).to(DType::BFloat16)));
  EXPECT_NE(aoti_torch_cuda__weight_int4pack_mm(wrong_k, hp, 32, hq, &out), 0);
  AtenTensorHandle f32 = handle(to_device(random_matrix({2, 64}, 1)));
  EXPECT_NE(aoti_torch_cuda__weight_int4pack_mm(f32, hp, 32, hq, &out), 0);
  EXPECT_NE(shim::last_error().find("bfloat16"), std::string::npos) << shim::last_error();
  EXPECT_EQ(out, nullptr);
  for (AtenTensorHandle h : {ha, hp, hq, wrong_k, f32}) take(h);
}

// The entry points take [B, L, H, E]; they compute what SDPA's ops compute on the heads-second
// view (the CUDA corpus's attention_entry_points checks them against torch), laid out as torch
// lays them out, and refuse the forms pt2run lacks by name.
TEST(CudaAttention, EntryPointsAreSdpaOnTheHeadsSecondView) {
  PT2RUN_REQUIRE_GPU();
  const Tensor q = to_device(random_matrix({2, 16, 3, 8}, 1).to(DType::Float16));
  const Tensor k = to_device(random_matrix({2, 16, 3, 8}, 2).to(DType::Float16));
  const Tensor v = to_device(random_matrix({2, 16, 3, 8}, 3).to(DType::Float16));
  auto heads_second = [](const Tensor& t) {
    return t.as_strided({t.size(0), t.size(2), t.size(1), t.size(3)}, {t.stride(0), t.stride(2), t.stride(1), t.stride(3)},
                        t.storage_offset());
  };
  AtenTensorHandle hq = handle(q), hk = handle(k), hv = handle(v);
  AtenTensorHandle tq = handle(heads_second(q)), tk = handle(heads_second(k)), tv = handle(heads_second(v));
  AtenTensorHandle out[5] = {}, ref[9] = {};
  int64_t rl = 0, rs = 0;
  ASSERT_EQ(aoti_torch_cuda__flash_attention_forward(hq, hk, hv, nullptr, nullptr, 16, 16, 0.0, 1, 0, nullptr, nullptr,
                                                     nullptr, nullptr, nullptr, &out[0], &out[1], &out[2], &out[3],
                                                     &out[4]),
            0)
      << shim::last_error();
  ASSERT_EQ(aoti_torch_cuda__scaled_dot_product_flash_attention(tq, tk, tv, 0.0, 1, 0, nullptr, &ref[0], &ref[1],
                                                                &ref[2], &ref[3], &rl, &rs, &ref[6], &ref[7], &ref[8]),
            0)
      << shim::last_error();
  Tensor o = take(out[0]), r = take(ref[0]);
  EXPECT_EQ(sizes_of(o), (std::vector<int64_t>{2, 16, 3, 8}));
  EXPECT_TRUE(o.is_contiguous());
  EXPECT_EQ(max_diff(to_host(o), to_host(heads_second(r))), 0.0);
  AtenTensorHandle e[4] = {};
  int64_t max_q = 0, max_k = 0;
  ASSERT_EQ(aoti_torch_cuda__efficient_attention_forward(hq, hk, hv, nullptr, nullptr, nullptr, nullptr, nullptr, 0.0, 1,
                                                         0, nullptr, nullptr, nullptr, &e[0], &e[1], &e[2], &e[3],
                                                         &max_q, &max_k),
            0)
      << shim::last_error();
  EXPECT_LT(max_diff(to_host(take(e[0])), to_host(o)), 1e-3);  // causal from the top left, as flash's here
  EXPECT_EQ(max_q, 16);
  for (int i = 1; i < 5; ++i) take(out[i]);
  for (int i : {1, 2, 3, 6, 7, 8}) if (ref[i]) take(ref[i]);
  for (int i = 1; i < 4; ++i) if (e[i]) take(e[i]);
  // Variable-length batches, and a causal mask over unequal lengths, are refused by name.
  AtenTensorHandle none = nullptr, lengths = handle(to_device(Tensor::zeros({3}, DType::Int32)));
  EXPECT_NE(aoti_torch_cuda__flash_attention_forward(hq, hk, hv, &lengths, &lengths, 16, 16, 0.0, 0, 0, nullptr,
                                                     nullptr, nullptr, nullptr, nullptr, &none, nullptr, nullptr,
                                                     nullptr, nullptr),
            0);
  EXPECT_NE(shim::last_error().find("variable-length"), std::string::npos) << shim::last_error();
  AtenTensorHandle short_k = handle(to_device(random_matrix({2, 8, 3, 8}, 4).to(DType::Float16)));
  EXPECT_NE(aoti_torch_cuda__flash_attention_forward(hq, short_k, short_k, nullptr, nullptr, 16, 8, 0.0, 1, 0, nullptr,
                                                     nullptr, nullptr, nullptr, nullptr, &none, nullptr, nullptr,
                                                     nullptr, nullptr),
            0);
  EXPECT_NE(aoti_torch_cuda__efficient_attention_forward(hq, short_k, short_k, nullptr, nullptr, nullptr, nullptr,
                                                         nullptr, 0.0, 2, 0, nullptr, nullptr, nullptr, &none, nullptr,
                                                         nullptr, nullptr, nullptr, nullptr),
            0);
  EXPECT_EQ(none, nullptr);
  for (AtenTensorHandle h : {hq, hk, hv, tq, tk, tv, lengths, short_k}) take(h);
}

// What each random op draws is checked against torch by the CUDA corpus (random_fallbacks,
// random_ops: torch's own run of the package after torch.manual_seed). Here: reseeding
// repeats the draws, each call draws anew, and bad requests are errors, not crashes.
TEST(CudaRandom, SeedingRepeatsDrawsAndBadRequestsAreErrors) {
  PT2RUN_REQUIRE_GPU();
  const int64_t size[] = {1000, 33};
  auto draw = [&] {
    AtenTensorHandle h = nullptr;
    EXPECT_EQ(aoti_torch_cuda_randn(size, 2, nullptr, nullptr, nullptr, 0, nullptr, &h), 0) << shim::last_error();
    return to_host(take(h));
  };
  manual_seed(42);
  Tensor a = draw(), b = draw();
  manual_seed(42);
  Tensor again = draw();
  EXPECT_EQ(max_diff(a, again), 0.0);
  EXPECT_GT(max_diff(a, b), 0.0);
  double mean = 0;
  for (int64_t i = 0; i < a.numel(); ++i) mean += a.data<float>()[i];
  EXPECT_LT(std::abs(mean / static_cast<double>(a.numel())), 0.05);

  AtenTensorHandle x = handle(to_device(random_matrix({4, 5}, 1))), out = nullptr;
  EXPECT_NE(aoti_torch_cuda_uniform(x, 3, 2, nullptr, &out), 0);  // from > to
  EXPECT_NE(aoti_torch_cuda_normal_functional(x, 0, -1, nullptr, &out), 0);
  EXPECT_NE(aoti_torch_cuda_exponential(x, 0, nullptr, &out), 0);
  EXPECT_NE(aoti_torch_cuda_bernoulli__float(x, 1.5, nullptr), 0);
  AtenTensorHandle ints = handle(to_device(Tensor::zeros({3}, DType::Int64)));
  EXPECT_NE(aoti_torch_cuda_uniform(ints, 0, 1, nullptr, &out), 0);
  EXPECT_NE(shim::last_error().find("floating"), std::string::npos) << shim::last_error();
  const int64_t three[] = {3}, four[] = {4};
  EXPECT_NE(aoti_torch_cuda_randint_low_out(ints, 5, 5, three, 1), 0);  // empty range
  EXPECT_NE(aoti_torch_cuda_randint_low_out(ints, 0, 5, four, 1), 0);   // size mismatch
  AtenGeneratorHandle generator = reinterpret_cast<AtenGeneratorHandle>(x);
  EXPECT_NE(aoti_torch_cuda_rand_generator(size, 2, &generator, nullptr, nullptr, nullptr, 0, nullptr, &out), 0);
  EXPECT_NE(shim::last_error().find("Generator"), std::string::npos) << shim::last_error();
  EXPECT_EQ(out, nullptr);
  // Inside a capture a draw is refused before it reserves anything: the next eager draw is
  // the one it would have been.
  manual_seed(42);
  cudaStream_t stream = nullptr;
  ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);
  ASSERT_EQ(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), cudaSuccess);
  AOTITorchError rc = 0;
  {
    OnStream on(stream);
    rc = aoti_torch_cuda_randn(size, 2, nullptr, nullptr, nullptr, 0, nullptr, &out);
  }
  cudaGraph_t graph = nullptr;
  EXPECT_EQ(cudaStreamEndCapture(stream, &graph), cudaSuccess);
  if (graph) cudaGraphDestroy(graph);
  EXPECT_NE(rc, 0);
  EXPECT_NE(shim::last_error().find("Philox"), std::string::npos) << shim::last_error();
  EXPECT_EQ(max_diff(draw(), a), 0.0);
  cudaStreamDestroy(stream);
  take(x);
  take(ints);
}

}  // namespace
}  // namespace pt2run
