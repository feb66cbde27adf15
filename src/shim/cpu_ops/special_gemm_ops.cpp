// Grouped, float8-scaled, dynamically quantized int4 and FBGEMM-style quantized linear GEMM
// fallbacks, and 3-d grid sampling.

#include <optional>

#include "backends/cpu/dynamic_int4.h"
#include "backends/cpu/quantized_linear.h"
#include "backends/cpu/resample.h"
#include "backends/cpu/special_gemm.h"
#include "shim/shim_args.h"
#include "shim/shim_guard.h"

using pt2run::DType;
using pt2run::Tensor;
using pt2run::shim::dtype_arg;
using pt2run::shim::guard;
using pt2run::shim::optional_tensor;
using pt2run::shim::put_result;
using pt2run::shim::tensor;
namespace cpu = pt2run::cpu;

namespace {

std::optional<DType> optional_dtype(const int32_t* dtype) {
  return dtype ? std::optional<DType>(dtype_arg(*dtype)) : std::nullopt;
}

Tensor scaled(AtenTensorHandle self, AtenTensorHandle mat2, AtenTensorHandle scale_a, AtenTensorHandle scale_b,
              AtenTensorHandle* bias, AtenTensorHandle* scale_result, const int32_t* out_dtype) {
  // use_fast_accum only lets a GPU accumulate in lower precision.
  return cpu::scaled_mm(tensor(self), tensor(mat2), tensor(scale_a), tensor(scale_b), optional_tensor(bias),
                        optional_tensor(scale_result), optional_dtype(out_dtype));
}

}  // namespace

AOTITorchError aoti_torch_cpu__grouped_mm(AtenTensorHandle self, AtenTensorHandle mat2, AtenTensorHandle* offs,
                                          AtenTensorHandle* bias, int32_t* out_dtype, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    PT2RUN_CHECK(optional_tensor(bias) == nullptr, NotImplemented,
                 "_grouped_mm with a bias: torch's CPU kernel does not support it either");
    put_result(cpu::grouped_mm(tensor(self), tensor(mat2), optional_tensor(offs), optional_dtype(out_dtype)), ret0);
  });
}

AOTITorchError aoti_torch_cpu__scaled_mm(AtenTensorHandle self, AtenTensorHandle mat2, AtenTensorHandle scale_a,
                                         AtenTensorHandle scale_b, AtenTensorHandle* bias,
                                         AtenTensorHandle* scale_result, int32_t* out_dtype,
                                         int32_t /*use_fast_accum*/, AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(scaled(self, mat2, scale_a, scale_b, bias, scale_result, out_dtype), ret0); });
}

AOTITorchError aoti_torch_cpu__scaled_mm_out(AtenTensorHandle out, AtenTensorHandle self, AtenTensorHandle mat2,
                                             AtenTensorHandle scale_a, AtenTensorHandle scale_b,
                                             AtenTensorHandle* bias, AtenTensorHandle* scale_result,
                                             int32_t* out_dtype, int32_t /*use_fast_accum*/) {
  return guard(__func__, [&] {
    Tensor& o = tensor(out);
    const int32_t code = out_dtype ? *out_dtype : pt2run::dtype_code(o.dtype());
    Tensor r = scaled(self, mat2, scale_a, scale_b, bias, scale_result, &code);
    PT2RUN_CHECK(r.dtype() == o.dtype() && std::equal(r.sizes().begin(), r.sizes().end(), o.sizes().begin(),
                                                       o.sizes().end()),
                 ShapeMismatch, "_scaled_mm: out ", o.describe(), " does not match the result ", r.describe());
    o.copy_(r);
  });
}

AOTITorchError aoti_torch_cpu_grid_sampler_3d(AtenTensorHandle input, AtenTensorHandle grid,
                                              int64_t interpolation_mode, int64_t padding_mode, int32_t align_corners,
                                              AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    put_result(cpu::grid_sampler_3d(tensor(input), tensor(grid), interpolation_mode, padding_mode, align_corners != 0),
               ret0);
  });
}

AOTITorchError aoti_torch_cpu__dyn_quant_pack_4bit_weight(AtenTensorHandle weights, AtenTensorHandle scales_zeros,
                                                          AtenTensorHandle* bias, int64_t block_size,
                                                          int64_t in_features, int64_t out_features,
                                                          AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    PT2RUN_CHECK(optional_tensor(bias) == nullptr, NotImplemented,
                 "_dyn_quant_pack_4bit_weight with a bias: torch's x86 kernel does not support it either");
    put_result(cpu::dyn_quant_pack_4bit_weight(tensor(weights), tensor(scales_zeros), block_size, in_features,
                                               out_features),
               ret0);
  });
}

AOTITorchError aoti_torch_cpu__dyn_quant_matmul_4bit(AtenTensorHandle inp, AtenTensorHandle packed_weights,
                                                     int64_t block_size, int64_t in_features, int64_t out_features,
                                                     AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    put_result(cpu::dyn_quant_matmul_4bit(tensor(inp), tensor(packed_weights), block_size, in_features, out_features),
               ret0);
  });
}

AOTITorchError aoti_torch_cpu_wrapped_fbgemm_pack_gemm_matrix_fp16(AtenTensorHandle weight, AtenTensorHandle* out) {
  return guard(__func__, [&] { put_result(cpu::pack_gemm_matrix_fp16(tensor(weight)), out); });
}

AOTITorchError aoti_torch_cpu_wrapped_fbgemm_linear_fp16_weight(AtenTensorHandle input, AtenTensorHandle weight,
                                                                 AtenTensorHandle bias, int64_t out_channel,
                                                                 AtenTensorHandle* out) {
  return guard(__func__, [&] {
    // The bias is optional: a null handle, or an undefined tensor, when the model has none.
    const Tensor* b = bias && tensor(bias).defined() ? &tensor(bias) : nullptr;
    put_result(cpu::linear_fp16_weight(tensor(input), tensor(weight), b, out_channel), out);
  });
}

AOTITorchError aoti_torch_cpu__wrapped_linear_prepack(AtenTensorHandle weight, AtenTensorHandle weight_scale,
                                                      AtenTensorHandle weight_zero_point, AtenTensorHandle bias,
                                                      AtenTensorHandle* out) {
  return guard(__func__, [&] {
    const Tensor* b = bias && tensor(bias).defined() ? &tensor(bias) : nullptr;
    put_result(cpu::linear_prepack_int8(tensor(weight), tensor(weight_scale), tensor(weight_zero_point), b), out);
  });
}

AOTITorchError aoti_torch_cpu__wrapped_quantized_linear_prepacked(AtenTensorHandle input, AtenTensorHandle input_scale,
                                                                  AtenTensorHandle input_zero_point,
                                                                  AtenTensorHandle weight, AtenTensorHandle out_scale,
                                                                  AtenTensorHandle out_zeropoint, int64_t out_channel,
                                                                  AtenTensorHandle* out) {
  return guard(__func__, [&] {
    put_result(cpu::quantized_linear_prepacked(tensor(input), tensor(input_scale), tensor(input_zero_point),
                                               tensor(weight), tensor(out_scale), tensor(out_zeropoint), out_channel),
               out);
  });
}
