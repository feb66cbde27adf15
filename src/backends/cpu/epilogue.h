#pragma once

// What torch's fused oneDNN ops (mkldnn._convolution_pointwise, _linear_pointwise and their
// binary forms) apply to a convolution's or linear layer's result: first an elementwise binary
// op with a second tensor of the result's shape, then a unary activation.

#include <oneapi/dnnl/dnnl.hpp>

#include "pt2run/tensor.h"

namespace pt2run::cpu {

enum class Unary { None, Relu, LeakyRelu, Sigmoid, Tanh, Swish, Hardswish, Hardsigmoid, Hardtanh, GeluErf, GeluTanh };
enum class Binary { None, Add, Sub, Mul, Div };

struct Epilogue {
  Binary binary = Binary::None;
  Tensor other;  // the binary op's second operand, the result's sizes and dtype
  // Instead of a binary op: the result is added to what the destination holds (oneDNN's sum
  // post-op), for an in-place residual computed straight into its operand.
  bool accumulate = false;
  Unary unary = Unary::None;
  float alpha = 0.f;  // leaky_relu's slope; hardtanh's min
  float beta = 0.f;   // hardtanh's max

  bool empty() const { return binary == Binary::None && !accumulate && unary == Unary::None; }
};

// oneDNN post-ops computing the epilogue; `other_md` describes `other` as the primitive reads it.
dnnl::post_ops post_ops(const Epilogue& e, const dnnl::memory::desc& other_md);

// Applies the epilogue to `out` in place, element by element in float32 (or double for
// float64): for results a primitive could not fuse it into. Not for accumulate (the result
// has overwritten what it adds to).
void apply_epilogue(const Tensor& out, const Epilogue& e);

// What identifies the epilogue in a plan key (its kinds, scalars and the operand's strides).
void append_epilogue_key(std::vector<int64_t>& key, const Epilogue& e);

}  // namespace pt2run::cpu
