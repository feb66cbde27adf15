#include "backends/cpu/epilogue.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "core/check.h"

namespace pt2run::cpu {
namespace {

using dnnl::algorithm;

struct EltwiseArgs {
  algorithm alg;
  float alpha, beta;
};

// torch's choices for each activation (aten/native/mkldnn's fusion attributes).
EltwiseArgs eltwise(const Epilogue& e) {
  switch (e.unary) {
    case Unary::Relu: return {algorithm::eltwise_relu, 0.f, 0.f};
    case Unary::LeakyRelu: return {algorithm::eltwise_relu, e.alpha, 0.f};
    case Unary::Sigmoid: return {algorithm::eltwise_logistic, 0.f, 0.f};
    case Unary::Tanh: return {algorithm::eltwise_tanh, 0.f, 0.f};
    case Unary::Swish: return {algorithm::eltwise_swish, 1.f, 0.f};
    case Unary::Hardswish: return {algorithm::eltwise_hardswish, 1.f / 6.f, 0.5f};
    case Unary::Hardsigmoid: return {algorithm::eltwise_hardsigmoid, 1.f / 6.f, 0.5f};
    case Unary::Hardtanh: return {algorithm::eltwise_clip, e.alpha, e.beta};
    case Unary::GeluErf: return {algorithm::eltwise_gelu_erf, 0.f, 0.f};
    case Unary::GeluTanh: return {algorithm::eltwise_gelu_tanh, 0.f, 0.f};
    case Unary::None: break;
  }
  detail::fail(ErrorCode::Internal, "no activation to fuse");
}

algorithm binary_algorithm(Binary b) {
  switch (b) {
    case Binary::Add: return algorithm::binary_add;
    case Binary::Sub: return algorithm::binary_sub;
    case Binary::Mul: return algorithm::binary_mul;
    case Binary::Div: return algorithm::binary_div;
    case Binary::None: break;
  }
  detail::fail(ErrorCode::Internal, "no binary op to fuse");
}

template <class T>
T activate(T x, const Epilogue& e) {
  const T a = static_cast<T>(e.alpha), b = static_cast<T>(e.beta);
  switch (e.unary) {
    case Unary::None: return x;
    case Unary::Relu: return x > T(0) ? x : T(0);
    case Unary::LeakyRelu: return x > T(0) ? x : x * a;
    case Unary::Sigmoid: return T(1) / (T(1) + std::exp(-x));
    case Unary::Tanh: return std::tanh(x);
    case Unary::Swish: return x / (T(1) + std::exp(-x));
    case Unary::Hardswish: return x * std::clamp(x / T(6) + T(0.5), T(0), T(1));
    case Unary::Hardsigmoid: return std::clamp(x / T(6) + T(0.5), T(0), T(1));
    case Unary::Hardtanh: return std::clamp(x, a, b);
    case Unary::GeluErf: return T(0.5) * x * (T(1) + std::erf(x / std::sqrt(T(2))));
    case Unary::GeluTanh: {
      const T k = std::sqrt(T(2) / T(3.14159265358979323846));
      return T(0.5) * x * (T(1) + std::tanh(k * (x + T(0.044715) * x * x * x)));
    }
  }
  return x;
}

template <class T>
T combine(T x, T y, Binary b) {
  switch (b) {
    case Binary::None: return x;
    case Binary::Add: return x + y;
    case Binary::Sub: return x - y;
    case Binary::Mul: return x * y;
    case Binary::Div: return x / y;
  }
  return x;
}

template <class T>
void apply(const Tensor& out, const Epilogue& e) {
  const DType type = out.dtype() == DType::Float64 ? DType::Float64 : DType::Float32;
  Tensor value = out.to(type);
  Tensor other = e.binary != Binary::None ? e.other.to(type) : Tensor();
  T* v = value.data<T>();
  const T* o = other.defined() ? other.data<T>() : nullptr;
  for (int64_t i = 0, n = value.numel(); i < n; ++i) v[i] = activate(combine(v[i], o ? o[i] : T(0), e.binary), e);
  Tensor(out).copy_(value);
}

}  // namespace

dnnl::post_ops post_ops(const Epilogue& e, const dnnl::memory::desc& other_md) {
  dnnl::post_ops po;
  if (e.binary != Binary::None) po.append_binary(binary_algorithm(e.binary), other_md);
  if (e.accumulate) po.append_sum(1.f);
  if (e.unary != Unary::None) {
    const EltwiseArgs args = eltwise(e);
    po.append_eltwise(args.alg, args.alpha, args.beta);
  }
  return po;
}

void apply_epilogue(const Tensor& out, const Epilogue& e) {
  if (e.empty()) return;
  PT2RUN_CHECK(!e.accumulate, Internal, "an accumulating epilogue cannot be applied after its result");
  if (e.binary != Binary::None)
    PT2RUN_CHECK(std::equal(out.sizes().begin(), out.sizes().end(), e.other.sizes().begin(), e.other.sizes().end()),
                 ShapeMismatch, "the fused binary op's operand is ", e.other.describe(), ", the result ",
                 out.describe());
  if (out.dtype() == DType::Float64)
    apply<double>(out, e);
  else
    apply<float>(out, e);
}

void append_epilogue_key(std::vector<int64_t>& key, const Epilogue& e) {
  key.push_back(static_cast<int64_t>(e.binary));
  key.push_back(e.accumulate ? 1 : 0);
  key.push_back(static_cast<int64_t>(e.unary));
  key.push_back(std::bit_cast<int32_t>(e.alpha));
  key.push_back(std::bit_cast<int32_t>(e.beta));
  if (e.binary != Binary::None) {
    key.push_back(static_cast<int64_t>(e.other.dtype()));
    key.insert(key.end(), e.other.strides().begin(), e.other.strides().end());
  }
}

}  // namespace pt2run::cpu
