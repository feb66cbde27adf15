#include "backends/cpu/quantized_linear.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "backends/cpu/gemm.h"
#include "core/check.h"

namespace pt2run::cpu {
namespace {

// The int8 pack is an int8 [N, K] tensor of the quantized weight (the shape and strides the
// model's own checks expect of it), and past its N*K bytes, in the same storage, this trailer
// and then N float32 biases when there is a bias.
constexpr char kMagic[8] = {'p', '2', 'r', 'q', 'l', 'i', 'n', '1'};
struct PackTrailer {
  char magic[8];
  int64_t n, k;
  double scale;
  int64_t zero_point;
  int64_t has_bias;
};

double scalar_of(const Tensor& t, const char* what) {
  PT2RUN_CHECK(t.numel() == 1, ShapeMismatch, what, " must hold one value (per-tensor quantization), got ",
               t.describe());
  return t.to(DType::Float64).data<double>()[0];
}

int64_t zero_point_of(const Tensor& t, const char* what, int64_t lo, int64_t hi) {
  const double z = scalar_of(t, what);
  PT2RUN_CHECK(z == std::floor(z) && z >= static_cast<double>(lo) && z <= static_cast<double>(hi), InvalidArgument,
               what, " must be a whole number in ", lo, "..", hi, ", got ", z);
  return static_cast<int64_t>(z);
}

float scale_of(const Tensor& t, const char* what) {
  const double s = scalar_of(t, what);
  PT2RUN_CHECK(std::isfinite(s) && s > 0, InvalidArgument, what, " must be a positive finite scale, got ", s);
  return static_cast<float>(s);  // FBGEMM quantizes with a float scale
}

// FBGEMM's per-tensor quantization: nearbyint(x * (1 / scale)) + zero_point, clamped.
int32_t quantize(float x, float inverse_scale, int64_t zero_point, int32_t lo, int32_t hi) {
  const float q = std::nearbyint(x * inverse_scale) + static_cast<float>(zero_point);
  return static_cast<int32_t>(std::clamp(q, static_cast<float>(lo), static_cast<float>(hi)));
}

void check_float_matrix(const Tensor& t, const char* op, const char* what) {
  PT2RUN_CHECK(t.device().type == DeviceType::CPU, DeviceMismatch, op, ": needs CPU tensors, got ", t.describe());
  PT2RUN_CHECK(t.dtype() == DType::Float32, DTypeMismatch, op, ": ", what, " must be float32, got ", t.describe());
}

}  // namespace

Tensor pack_gemm_matrix_fp16(const Tensor& weight) {
  check_float_matrix(weight, "fbgemm_pack_gemm_matrix_fp16", "the weight");
  PT2RUN_CHECK(weight.dim() == 2, ShapeMismatch, "fbgemm_pack_gemm_matrix_fp16: the weight must be [N, K], got ",
               weight.describe());
  return weight.to(DType::Float16);
}

Tensor linear_fp16_weight(const Tensor& input, const Tensor& packed, const Tensor* bias, int64_t out_channels) {
  const char* op = "fbgemm_linear_fp16_weight";
  check_float_matrix(input, op, "the input");
  PT2RUN_CHECK(packed.dtype() == DType::Float16 && packed.dim() == 2, InvalidArgument, op,
               ": the packed weight must come from pt2run's fbgemm_pack_gemm_matrix_fp16 (float16 [N, K]), got ",
               packed.describe(), "; a package whose weights torch packed ahead of time cannot run here");
  const int64_t n = packed.size(0), k = packed.size(1);
  PT2RUN_CHECK(input.dim() >= 1 && input.size(input.dim() - 1) == k, ShapeMismatch, op, ": the input ",
               input.describe(), " must end in K = ", k);
  PT2RUN_CHECK(out_channels == n, ShapeMismatch, op, ": out_channel ", out_channels, " but the weight has ", n,
               " rows");
  if (bias) {
    check_float_matrix(*bias, op, "the bias");
    PT2RUN_CHECK(bias->numel() == n && bias->dim() == 1, ShapeMismatch, op, ": the bias must be [", n, "], got ",
                 bias->describe());
  }
  const int64_t m = k == 0 ? input.numel() : input.numel() / k;
  std::vector<int64_t> out_sizes(input.sizes().begin(), input.sizes().end());
  out_sizes.back() = n;
  Tensor out = Tensor::empty(out_sizes, DType::Float32);
  Tensor a = input.contiguous().as_strided({m, k}, {k, 1}, 0);
  Tensor w = packed.to(DType::Float32);  // the float16 values, widened exactly
  Tensor o = out.as_strided({m, n}, {n, 1}, 0);
  addmm(o, bias, a, w.as_strided({k, n}, {1, k}, 0), bias ? 1.0 : 0.0, 1.0);
  return out;
}

Tensor linear_prepack_int8(const Tensor& weight, const Tensor& scale, const Tensor& zero_point, const Tensor* bias) {
  const char* op = "_wrapped_linear_prepack";
  check_float_matrix(weight, op, "the weight");
  PT2RUN_CHECK(weight.dim() == 2, ShapeMismatch, op, ": the weight must be [N, K], got ", weight.describe());
  const int64_t n = weight.size(0), k = weight.size(1);
  const float s = scale_of(scale, "_wrapped_linear_prepack: the weight scale");
  const int64_t z = zero_point_of(zero_point, "_wrapped_linear_prepack: the weight zero point", -128, 127);
  if (bias) {
    check_float_matrix(*bias, op, "the bias");
    PT2RUN_CHECK(bias->numel() == n, ShapeMismatch, op, ": the bias must hold ", n, " values, got ", bias->describe());
  }
  const int64_t bytes = n * k + static_cast<int64_t>(sizeof(PackTrailer)) + (bias ? n * 4 : 0);
  Tensor storage = Tensor::empty({bytes}, DType::UInt8);
  auto* base = static_cast<unsigned char*>(storage.data_ptr());
  Tensor w = weight.contiguous();
  auto* q = reinterpret_cast<int8_t*>(base);
  const float inverse = 1.0f / s;
  for (int64_t i = 0; i < n * k; ++i) q[i] = static_cast<int8_t>(quantize(w.data<float>()[i], inverse, z, -128, 127));
  PackTrailer t{};
  std::memcpy(t.magic, kMagic, sizeof kMagic);
  t.n = n, t.k = k, t.scale = s, t.zero_point = z, t.has_bias = bias ? 1 : 0;
  std::memcpy(base + n * k, &t, sizeof t);
  if (bias) std::memcpy(base + n * k + sizeof t, bias->contiguous().data_ptr(), static_cast<std::size_t>(n) * 4);
  return Tensor(storage.storage(), {n, k}, {k, 1}, 0, DType::Int8);
}

Tensor quantized_linear_prepacked(const Tensor& input, const Tensor& input_scale, const Tensor& input_zero_point,
                                  const Tensor& packed, const Tensor& out_scale, const Tensor& out_zero_point,
                                  int64_t out_channels) {
  const char* op = "_wrapped_quantized_linear_prepacked";
  check_float_matrix(input, op, "the input");
  PackTrailer h{};
  const bool shaped = packed.dtype() == DType::Int8 && packed.dim() == 2 && packed.device().type == DeviceType::CPU &&
                      packed.is_contiguous() && packed.storage_offset() == 0;
  const int64_t weight_bytes = shaped ? packed.numel() : 0;
  const bool room = shaped && packed.storage_nbytes() >= static_cast<std::size_t>(weight_bytes) + sizeof h;
  if (room) std::memcpy(&h, static_cast<const unsigned char*>(packed.data_ptr()) + weight_bytes, sizeof h);
  PT2RUN_CHECK(room && std::memcmp(h.magic, kMagic, sizeof kMagic) == 0 && h.n == packed.size(0) &&
                   h.k == packed.size(1) &&
                   packed.storage_nbytes() >= static_cast<std::size_t>(weight_bytes) + sizeof h +
                                                  static_cast<std::size_t>(h.has_bias ? h.n * 4 : 0),
               InvalidArgument, op, ": the packed weight must come from pt2run's _wrapped_linear_prepack, got ",
               packed.describe(), "; a package whose weights torch packed ahead of time cannot run here");
  const int64_t n = h.n, k = h.k;
  PT2RUN_CHECK(input.dim() >= 1 && input.size(input.dim() - 1) == k, ShapeMismatch, op, ": the input ",
               input.describe(), " must end in K = ", k);
  PT2RUN_CHECK(out_channels == n, ShapeMismatch, op, ": out_channel ", out_channels, " but the weight has ", n,
               " rows");
  const float x_scale = scale_of(input_scale, "_wrapped_quantized_linear_prepacked: the input scale");
  const int64_t x_zp = zero_point_of(input_zero_point, "_wrapped_quantized_linear_prepacked: the input zero point", 0, 255);
  const float y_scale = scale_of(out_scale, "_wrapped_quantized_linear_prepacked: the output scale");
  const double y_scale_exact = scalar_of(out_scale, "");  // checked just above; dequantizing uses it in double
  const int64_t y_zp = zero_point_of(out_zero_point, "_wrapped_quantized_linear_prepacked: the output zero point", 0, 255);
  const auto* base = static_cast<const unsigned char*>(packed.data_ptr());
  const auto* wq = reinterpret_cast<const int8_t*>(base);
  std::vector<float> bias(static_cast<std::size_t>(n), 0.0f);
  if (h.has_bias) std::memcpy(bias.data(), base + n * k + sizeof h, static_cast<std::size_t>(n) * 4);
  const int64_t m = k == 0 ? 0 : input.numel() / k;
  Tensor x = input.contiguous();
  std::vector<int32_t> xq(static_cast<std::size_t>(m * k));
  const float x_inverse = 1.0f / x_scale;
  for (int64_t i = 0; i < m * k; ++i) xq[static_cast<std::size_t>(i)] = quantize(x.data<float>()[i], x_inverse, x_zp, 0, 255);
  std::vector<int64_t> out_sizes(input.sizes().begin(), input.sizes().end());
  out_sizes.back() = n;
  Tensor out = Tensor::empty(out_sizes, DType::Float32);
  // FBGEMM's requantization: raw = the integer dot product of the zero-point-shifted values;
  // (raw + bias / (x_scale * w_scale)) * (x_scale * w_scale / y_scale), rounded half to even.
  const float act_times_w = x_scale * static_cast<float>(h.scale);
  const float multiplier = act_times_w / y_scale;
  auto* y = out.data<float>();
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      int64_t raw = 0;
      for (int64_t t = 0; t < k; ++t)
        raw += (xq[static_cast<std::size_t>(i * k + t)] - x_zp) * (static_cast<int64_t>(wq[j * k + t]) - h.zero_point);
      const float raw_f = static_cast<float>(static_cast<int32_t>(raw)) + bias[static_cast<std::size_t>(j)] / act_times_w;
      const long q = std::lrintf(raw_f * multiplier) + y_zp;
      // torch's dequantize: (q - zero_point) * scale, the scale in double.
      const auto clamped = static_cast<float>(std::clamp<long>(q, 0, 255));
      y[i * n + j] = static_cast<float>((clamped - static_cast<float>(y_zp)) * y_scale_exact);
    }
  }
  return out;
}

}  // namespace pt2run::cpu
