// torch's fused oneDNN ops, which packages exported with freezing call (weights usually
// prepacked: aoti_torch_create_tensor_from_blob_v2 with layout Mkldnn). Their string arguments
// name the fused ops as torch's mkldnn fusion does; every one comes from the package, so a name
// torch does not define is refused by name.

#include <string_view>

#include "backends/cpu/convolution.h"
#include "backends/cpu/linear_pointwise.h"
#include "shim/shim_args.h"
#include "shim/shim_guard.h"

using pt2run::Tensor;
using pt2run::cpu::Binary;
using pt2run::cpu::Epilogue;
using pt2run::cpu::Unary;
using pt2run::shim::convolution_params;
using pt2run::shim::guard;
using pt2run::shim::optional_tensor;
using pt2run::shim::release_handle;
using pt2run::shim::require_out;
using pt2run::shim::tensor;

namespace {

std::string_view text(const char* s, const char* what) {
  PT2RUN_CHECK(s != nullptr, InvalidArgument, "null '", what, "' string");
  return s;
}

// An optional string (const char**): absent, null or "" all mean none, as the generated code
// passes them.
std::string_view optional_text(const char** s) { return s == nullptr || *s == nullptr ? "" : *s; }

double scalar(const double** scalars, int64_t count, int64_t i, std::string_view attr) {
  PT2RUN_CHECK(scalars != nullptr && count > i && count <= 16 && scalars[i] != nullptr, InvalidArgument,
               "the fused '", attr, "' needs scalar ", i + 1, " (got ", count, ")");
  return *scalars[i];
}

// torch's unary fusion attributes (relu, sigmoid, tanh, swish, hardswish, hardsigmoid,
// leaky_relu with its slope, hardtanh with min and max, gelu with algorithm none or tanh).
void set_unary(Epilogue& e, std::string_view attr, const double** scalars, int64_t count, std::string_view algorithm) {
  if (attr == "none" || attr.empty()) return;
  if (attr == "relu") e.unary = Unary::Relu;
  else if (attr == "sigmoid") e.unary = Unary::Sigmoid;
  else if (attr == "tanh") e.unary = Unary::Tanh;
  else if (attr == "swish") e.unary = Unary::Swish;
  else if (attr == "hardswish") e.unary = Unary::Hardswish;
  else if (attr == "hardsigmoid") e.unary = Unary::Hardsigmoid;
  else if (attr == "leaky_relu") {
    e.unary = Unary::LeakyRelu;
    e.alpha = static_cast<float>(scalar(scalars, count, 0, attr));
  } else if (attr == "hardtanh") {
    e.unary = Unary::Hardtanh;
    e.alpha = static_cast<float>(scalar(scalars, count, 0, attr));
    e.beta = static_cast<float>(scalar(scalars, count, 1, attr));
  } else if (attr == "gelu") {
    PT2RUN_CHECK(algorithm == "none" || algorithm == "tanh", InvalidArgument,
                 "the fused gelu's algorithm is '", algorithm, "'; torch defines 'none' and 'tanh'");
    e.unary = algorithm == "tanh" ? Unary::GeluTanh : Unary::GeluErf;
  } else {
    pt2run::detail::fail(pt2run::ErrorCode::NotImplemented, "the fused activation '", attr,
                         "' is not one torch's mkldnn fusion defines (relu, sigmoid, tanh, swish, hardswish, "
                         "hardsigmoid, leaky_relu, hardtanh, gelu)");
  }
}

void set_binary(Epilogue& e, std::string_view attr, const Tensor& other) {
  if (attr == "add") e.binary = Binary::Add;
  else if (attr == "sub") e.binary = Binary::Sub;
  else if (attr == "mul") e.binary = Binary::Mul;
  else if (attr == "div") e.binary = Binary::Div;
  else
    pt2run::detail::fail(pt2run::ErrorCode::NotImplemented, "the fused binary op '", attr,
                         "' is not one torch's mkldnn fusion defines (add, sub, mul, div)");
  e.other = other;
}

// The binary convolutions' alpha must be absent or 1 and their activation none or relu, as
// torch checks.
void set_binary_unary(Epilogue& e, double* alpha, const char** unary_attr) {
  PT2RUN_CHECK(alpha == nullptr || *alpha == 1.0, InvalidArgument,
               "the fused binary convolution's alpha is ", alpha ? *alpha : 0.0, "; torch allows none or 1.0");
  const std::string_view unary = optional_text(unary_attr);
  PT2RUN_CHECK(unary.empty() || unary == "none" || unary == "relu", NotImplemented,
               "the fused binary convolution's activation is '", unary, "'; torch fuses relu only");
  if (unary == "relu") e.unary = Unary::Relu;
}

pt2run::detail::ConvolutionParams conv_params(const int64_t* padding, int64_t padding_len, const int64_t* stride,
                                              int64_t stride_len, const int64_t* dilation, int64_t dilation_len,
                                              int64_t groups, bool transposed = false,
                                              const int64_t* output_padding = nullptr, int64_t output_padding_len = 0) {
  return convolution_params(stride, stride_len, padding, padding_len, dilation, dilation_len, transposed ? 1 : 0,
                            output_padding, output_padding_len, groups);
}

}  // namespace

AOTITorchError aoti_torch_cpu_mkldnn__convolution_pointwise(
    AtenTensorHandle X, AtenTensorHandle W, AtenTensorHandle* B, const int64_t* padding, int64_t padding_len_,
    const int64_t* stride, int64_t stride_len_, const int64_t* dilation, int64_t dilation_len_, int64_t groups,
    const char* attr, const double** scalars, int64_t scalars_len_, const char** algorithm, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    Epilogue e;
    set_unary(e, text(attr, "attr"), scalars, scalars_len_, optional_text(algorithm));
    *require_out(ret0, "ret0") = release_handle(pt2run::cpu::convolution_pointwise(
        tensor(X), tensor(W), optional_tensor(B),
        conv_params(padding, padding_len_, stride, stride_len_, dilation, dilation_len_, groups), e));
  });
}

AOTITorchError aoti_torch_cpu_mkldnn__convolution_pointwise_binary(
    AtenTensorHandle X, AtenTensorHandle other, AtenTensorHandle W, AtenTensorHandle* B, const int64_t* padding,
    int64_t padding_len_, const int64_t* stride, int64_t stride_len_, const int64_t* dilation, int64_t dilation_len_,
    int64_t groups, const char* binary_attr, double* alpha, const char** unary_attr, const double** unary_scalars,
    int64_t unary_scalars_len_, const char** unary_algorithm, AtenTensorHandle* ret0) {
  (void)unary_scalars;
  (void)unary_scalars_len_;
  (void)unary_algorithm;
  return guard(__func__, [&] {
    Epilogue e;
    set_binary(e, text(binary_attr, "binary_attr"), tensor(other));
    set_binary_unary(e, alpha, unary_attr);
    *require_out(ret0, "ret0") = release_handle(pt2run::cpu::convolution_pointwise(
        tensor(X), tensor(W), optional_tensor(B),
        conv_params(padding, padding_len_, stride, stride_len_, dilation, dilation_len_, groups), e));
  });
}

AOTITorchError aoti_torch_cpu_mkldnn__convolution_pointwise_binary_(
    AtenTensorHandle other, AtenTensorHandle X, AtenTensorHandle W, AtenTensorHandle* B, const int64_t* padding,
    int64_t padding_len_, const int64_t* stride, int64_t stride_len_, const int64_t* dilation, int64_t dilation_len_,
    int64_t groups, const char* binary_attr, double* alpha, const char** unary_attr, const double** unary_scalars,
    int64_t unary_scalars_len_, const char** unary_algorithm, AtenTensorHandle* ret0) {
  (void)unary_scalars;
  (void)unary_scalars_len_;
  (void)unary_algorithm;
  return guard(__func__, [&] {
    // other = unary(conv(X) + other), in place; torch fuses add only here.
    PT2RUN_CHECK(text(binary_attr, "binary_attr") == "add", NotImplemented,
                 "the in-place fused binary convolution's op is '", binary_attr, "'; torch defines add only");
    const Tensor& target = tensor(other);
    Epilogue e;
    set_binary_unary(e, alpha, unary_attr);
    pt2run::cpu::convolution_pointwise_add_(
        target, tensor(X), tensor(W), optional_tensor(B),
        conv_params(padding, padding_len_, stride, stride_len_, dilation, dilation_len_, groups), e);
    *require_out(ret0, "ret0") = release_handle(target);
  });
}

AOTITorchError aoti_torch_cpu_mkldnn__convolution_transpose_pointwise(
    AtenTensorHandle X, AtenTensorHandle W, AtenTensorHandle* B, const int64_t* padding, int64_t padding_len_,
    const int64_t* output_padding, int64_t output_padding_len_, const int64_t* stride, int64_t stride_len_,
    const int64_t* dilation, int64_t dilation_len_, int64_t groups, const char* attr, const double** scalars,
    int64_t scalars_len_, const char** algorithm, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    Epilogue e;
    set_unary(e, text(attr, "attr"), scalars, scalars_len_, optional_text(algorithm));
    *require_out(ret0, "ret0") = release_handle(pt2run::cpu::convolution_pointwise(
        tensor(X), tensor(W), optional_tensor(B),
        conv_params(padding, padding_len_, stride, stride_len_, dilation, dilation_len_, groups, true, output_padding,
                    output_padding_len_),
        e));
  });
}

AOTITorchError aoti_torch_cpu__linear_pointwise(AtenTensorHandle X, AtenTensorHandle W, AtenTensorHandle* B,
                                               const char* attr, const double** scalars, int64_t scalars_len_,
                                               const char** algorithm, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    Epilogue e;
    set_unary(e, text(attr, "attr"), scalars, scalars_len_, optional_text(algorithm));
    *require_out(ret0, "ret0") =
        release_handle(pt2run::cpu::linear_pointwise(tensor(X), tensor(W), optional_tensor(B), e));
  });
}

AOTITorchError aoti_torch_cpu__linear_pointwise_binary(AtenTensorHandle X, AtenTensorHandle other, AtenTensorHandle W,
                                                      AtenTensorHandle* B, const char* attr, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    Epilogue e;
    set_binary(e, text(attr, "attr"), tensor(other));
    *require_out(ret0, "ret0") =
        release_handle(pt2run::cpu::linear_pointwise(tensor(X), tensor(W), optional_tensor(B), e));
  });
}

AOTITorchError aoti_torch_cpu__mkl_linear(AtenTensorHandle, AtenTensorHandle, AtenTensorHandle, AtenTensorHandle*,
                                         int64_t, AtenTensorHandle*) {
  return guard(__func__, [&] {
    pt2run::detail::fail(pt2run::ErrorCode::NotImplemented,
                         "mkl._mkl_linear's weight is packed in Intel MKL's own format, which only MKL reads; "
                         "export with inductor_configs={\"freezing\": True, \"cpp.weight_prepack\": False}");
  });
}
