// The CUDA twins of CPU fallbacks that have no CUDA kernel in pt2run: each runs the CPU
// implementation on host copies of its tensors (shim/host_staged.h). A package exported for
// CUDA then runs where it would otherwise be refused at load; the cost is a synchronization
// and a copy each way per call, and such a call cannot be inside a CUDA graph capture.
// Kernels of our own replace entries here one family at a time.

#include <vector>

#include "core/layout.h"
#include "shim/aoti_shim_cuda.h"
#include "shim/host_staged.h"

using pt2run::shim::call_on_host;

AOTITorchError aoti_torch_cuda__adaptive_avg_pool2d(AtenTensorHandle self,
                                                    const int64_t* output_size,
                                                    int64_t output_size_len_,
                                                    AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu__adaptive_avg_pool2d, self, output_size,
                         output_size_len_, ret0);
}

AOTITorchError aoti_torch_cuda__adaptive_avg_pool3d(AtenTensorHandle self,
                                                    const int64_t* output_size,
                                                    int64_t output_size_len_,
                                                    AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu__adaptive_avg_pool3d, self, output_size,
                         output_size_len_, ret0);
}

AOTITorchError aoti_torch_cuda__addmm_activation(AtenTensorHandle self, AtenTensorHandle mat1,
                                                 AtenTensorHandle mat2, double beta, double alpha,
                                                 int32_t use_gelu, AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu__addmm_activation, self, mat1, mat2, beta, alpha,
                         use_gelu, ret0);
}

AOTITorchError aoti_torch_cuda__cdist_forward(AtenTensorHandle x1, AtenTensorHandle x2, double p,
                                              int64_t* compute_mode, AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu__cdist_forward, x1, x2, p, compute_mode, ret0);
}

AOTITorchError aoti_torch_cuda__fused_moving_avg_obs_fq_helper(
    AtenTensorHandle self, AtenTensorHandle observer_on, AtenTensorHandle fake_quant_on,
    AtenTensorHandle running_min, AtenTensorHandle running_max, AtenTensorHandle scale,
    AtenTensorHandle zero_point, double averaging_const, int64_t quant_min, int64_t quant_max,
    int64_t ch_axis, int32_t per_row_fake_quant, int32_t symmetric_quant, AtenTensorHandle* ret0,
    AtenTensorHandle* ret1) {
  return call_on_host<2>(__func__, aoti_torch_cpu__fused_moving_avg_obs_fq_helper, self,
                         observer_on, fake_quant_on, running_min, running_max, scale, zero_point,
                         averaging_const, quant_min, quant_max, ch_axis, per_row_fake_quant,
                         symmetric_quant, ret0, ret1);
}

AOTITorchError aoti_torch_cuda__fused_moving_avg_obs_fq_helper_functional(
    AtenTensorHandle self, AtenTensorHandle observer_on, AtenTensorHandle fake_quant_on,
    AtenTensorHandle running_min, AtenTensorHandle running_max, AtenTensorHandle scale,
    AtenTensorHandle zero_point, double averaging_const, int64_t quant_min, int64_t quant_max,
    int64_t ch_axis, int32_t per_row_fake_quant, int32_t symmetric_quant, AtenTensorHandle* ret0,
    AtenTensorHandle* ret1, AtenTensorHandle* ret2, AtenTensorHandle* ret3, AtenTensorHandle* ret4,
    AtenTensorHandle* ret5) {
  return call_on_host<6>(__func__, aoti_torch_cpu__fused_moving_avg_obs_fq_helper_functional, self,
                         observer_on, fake_quant_on, running_min, running_max, scale, zero_point,
                         averaging_const, quant_min, quant_max, ch_axis, per_row_fake_quant,
                         symmetric_quant, ret0, ret1, ret2, ret3, ret4, ret5);
}

AOTITorchError aoti_torch_cuda__fused_rms_norm(AtenTensorHandle input,
                                               const int64_t* normalized_shape,
                                               int64_t normalized_shape_len_,
                                               AtenTensorHandle* weight, double* eps,
                                               AtenTensorHandle* ret0, AtenTensorHandle* ret1) {
  return call_on_host<2>(__func__, aoti_torch_cpu__fused_rms_norm, input, normalized_shape,
                         normalized_shape_len_, weight, eps, ret0, ret1);
}

AOTITorchError aoti_torch_cuda__grouped_mm(AtenTensorHandle self, AtenTensorHandle mat2,
                                           AtenTensorHandle* offs, AtenTensorHandle* bias,
                                           int32_t* out_dtype, AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu__grouped_mm, self, mat2, offs, bias, out_dtype,
                         ret0);
}

AOTITorchError aoti_torch_cuda__int_mm_out(AtenTensorHandle out, AtenTensorHandle self,
                                           AtenTensorHandle mat2) {
  return call_on_host<0>(__func__, aoti_torch_cpu__int_mm_out, out, self, mat2);
}

AOTITorchError aoti_torch_cuda__pdist_forward(AtenTensorHandle self, double p,
                                              AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu__pdist_forward, self, p, ret0);
}

AOTITorchError aoti_torch_cuda__scaled_mm(AtenTensorHandle self, AtenTensorHandle mat2,
                                          AtenTensorHandle scale_a, AtenTensorHandle scale_b,
                                          AtenTensorHandle* bias, AtenTensorHandle* scale_result,
                                          int32_t* out_dtype, int32_t use_fast_accum,
                                          AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu__scaled_mm, self, mat2, scale_a, scale_b, bias,
                         scale_result, out_dtype, use_fast_accum, ret0);
}

AOTITorchError aoti_torch_cuda__scaled_mm_out(AtenTensorHandle out, AtenTensorHandle self,
                                              AtenTensorHandle mat2, AtenTensorHandle scale_a,
                                              AtenTensorHandle scale_b, AtenTensorHandle* bias,
                                              AtenTensorHandle* scale_result, int32_t* out_dtype,
                                              int32_t use_fast_accum) {
  return call_on_host<0>(__func__, aoti_torch_cpu__scaled_mm_out, out, self, mat2, scale_a, scale_b,
                         bias, scale_result, out_dtype, use_fast_accum);
}

AOTITorchError aoti_torch_cuda__trilinear(AtenTensorHandle i1, AtenTensorHandle i2,
                                          AtenTensorHandle i3, const int64_t* expand1,
                                          int64_t expand1_len_, const int64_t* expand2,
                                          int64_t expand2_len_, const int64_t* expand3,
                                          int64_t expand3_len_, const int64_t* sumdim,
                                          int64_t sumdim_len_, int64_t unroll_dim,
                                          AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu__trilinear, i1, i2, i3, expand1, expand1_len_,
                         expand2, expand2_len_, expand3, expand3_len_, sumdim, sumdim_len_,
                         unroll_dim, ret0);
}

AOTITorchError aoti_torch_cuda__weight_int8pack_mm(AtenTensorHandle self, AtenTensorHandle mat2,
                                                   AtenTensorHandle scales,
                                                   AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu__weight_int8pack_mm, self, mat2, scales, ret0);
}

AOTITorchError aoti_torch_cuda_abs(AtenTensorHandle self, AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_abs, self, ret0);
}

AOTITorchError aoti_torch_cuda_adaptive_max_pool2d(AtenTensorHandle self,
                                                   const int64_t* output_size,
                                                   int64_t output_size_len_, AtenTensorHandle* ret0,
                                                   AtenTensorHandle* ret1) {
  return call_on_host<2>(__func__, aoti_torch_cpu_adaptive_max_pool2d, self, output_size,
                         output_size_len_, ret0, ret1);
}

AOTITorchError aoti_torch_cuda_adaptive_max_pool3d(AtenTensorHandle self,
                                                   const int64_t* output_size,
                                                   int64_t output_size_len_, AtenTensorHandle* ret0,
                                                   AtenTensorHandle* ret1) {
  return call_on_host<2>(__func__, aoti_torch_cpu_adaptive_max_pool3d, self, output_size,
                         output_size_len_, ret0, ret1);
}

AOTITorchError aoti_torch_cuda_add_Scalar(AtenTensorHandle self, double other, double alpha,
                                          AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_add_Scalar, self, other, alpha, ret0);
}

AOTITorchError aoti_torch_cuda_add_Tensor(AtenTensorHandle self, AtenTensorHandle other,
                                          double alpha, AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_add_Tensor, self, other, alpha, ret0);
}

AOTITorchError aoti_torch_cuda_addbmm(AtenTensorHandle self, AtenTensorHandle batch1,
                                      AtenTensorHandle batch2, double beta, double alpha,
                                      AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_addbmm, self, batch1, batch2, beta, alpha, ret0);
}

AOTITorchError aoti_torch_cuda_addmv(AtenTensorHandle self, AtenTensorHandle mat,
                                     AtenTensorHandle vec, double beta, double alpha,
                                     AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_addmv, self, mat, vec, beta, alpha, ret0);
}

AOTITorchError aoti_torch_cuda_angle(AtenTensorHandle self, AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_angle, self, ret0);
}

AOTITorchError aoti_torch_cuda_avg_pool2d(AtenTensorHandle self, const int64_t* kernel_size,
                                          int64_t kernel_size_len_, const int64_t* stride,
                                          int64_t stride_len_, const int64_t* padding,
                                          int64_t padding_len_, int32_t ceil_mode,
                                          int32_t count_include_pad, int64_t* divisor_override,
                                          AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_avg_pool2d, self, kernel_size, kernel_size_len_,
                         stride, stride_len_, padding, padding_len_, ceil_mode, count_include_pad,
                         divisor_override, ret0);
}

AOTITorchError aoti_torch_cuda_avg_pool3d(AtenTensorHandle self, const int64_t* kernel_size,
                                          int64_t kernel_size_len_, const int64_t* stride,
                                          int64_t stride_len_, const int64_t* padding,
                                          int64_t padding_len_, int32_t ceil_mode,
                                          int32_t count_include_pad, int64_t* divisor_override,
                                          AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_avg_pool3d, self, kernel_size, kernel_size_len_,
                         stride, stride_len_, padding, padding_len_, ceil_mode, count_include_pad,
                         divisor_override, ret0);
}

AOTITorchError aoti_torch_cuda_bucketize_Tensor(AtenTensorHandle self, AtenTensorHandle boundaries,
                                                int32_t out_int32, int32_t right,
                                                AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_bucketize_Tensor, self, boundaries, out_int32,
                         right, ret0);
}

AOTITorchError aoti_torch_cuda_cat(const AtenTensorHandle* tensors, int64_t tensors_len_,
                                   int64_t dim, AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_cat, tensors, tensors_len_, dim, ret0);
}

AOTITorchError aoti_torch_cuda_cholesky_inverse(AtenTensorHandle self, int32_t upper,
                                                AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_cholesky_inverse, self, upper, ret0);
}

AOTITorchError aoti_torch_cuda_cholesky_solve(AtenTensorHandle self, AtenTensorHandle input2,
                                              int32_t upper, AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_cholesky_solve, self, input2, upper, ret0);
}

AOTITorchError aoti_torch_cuda_cummax(AtenTensorHandle self, int64_t dim, AtenTensorHandle* ret0,
                                      AtenTensorHandle* ret1) {
  return call_on_host<2>(__func__, aoti_torch_cpu_cummax, self, dim, ret0, ret1);
}

AOTITorchError aoti_torch_cuda_cummin(AtenTensorHandle self, int64_t dim, AtenTensorHandle* ret0,
                                      AtenTensorHandle* ret1) {
  return call_on_host<2>(__func__, aoti_torch_cpu_cummin, self, dim, ret0, ret1);
}

AOTITorchError aoti_torch_cuda_cumprod(AtenTensorHandle self, int64_t dim, int32_t* dtype,
                                       AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_cumprod, self, dim, dtype, ret0);
}

AOTITorchError aoti_torch_cuda_cumsum(AtenTensorHandle self, int64_t dim, int32_t* dtype,
                                      AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_cumsum, self, dim, dtype, ret0);
}

AOTITorchError aoti_torch_cuda_fill__Scalar(AtenTensorHandle self, double value) {
  return call_on_host<0>(__func__, aoti_torch_cpu_fill__Scalar, self, value);
}

AOTITorchError aoti_torch_cuda_fractional_max_pool2d(
    AtenTensorHandle self, const int64_t* kernel_size, int64_t kernel_size_len_,
    const int64_t* output_size, int64_t output_size_len_, AtenTensorHandle random_samples,
    AtenTensorHandle* ret0, AtenTensorHandle* ret1) {
  return call_on_host<2>(__func__, aoti_torch_cpu_fractional_max_pool2d, self, kernel_size,
                         kernel_size_len_, output_size, output_size_len_, random_samples, ret0,
                         ret1);
}

AOTITorchError aoti_torch_cuda_fractional_max_pool3d(
    AtenTensorHandle self, const int64_t* kernel_size, int64_t kernel_size_len_,
    const int64_t* output_size, int64_t output_size_len_, AtenTensorHandle random_samples,
    AtenTensorHandle* ret0, AtenTensorHandle* ret1) {
  return call_on_host<2>(__func__, aoti_torch_cpu_fractional_max_pool3d, self, kernel_size,
                         kernel_size_len_, output_size, output_size_len_, random_samples, ret0,
                         ret1);
}

AOTITorchError aoti_torch_cuda_gcd(AtenTensorHandle self, AtenTensorHandle other,
                                   AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_gcd, self, other, ret0);
}

AOTITorchError aoti_torch_cuda_geqrf(AtenTensorHandle self, AtenTensorHandle* ret0,
                                     AtenTensorHandle* ret1) {
  return call_on_host<2>(__func__, aoti_torch_cpu_geqrf, self, ret0, ret1);
}

AOTITorchError aoti_torch_cuda_grid_sampler_3d(AtenTensorHandle input, AtenTensorHandle grid,
                                               int64_t interpolation_mode, int64_t padding_mode,
                                               int32_t align_corners, AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_grid_sampler_3d, input, grid, interpolation_mode,
                         padding_mode, align_corners, ret0);
}

AOTITorchError aoti_torch_cuda_histc(AtenTensorHandle self, int64_t bins, double min, double max,
                                     AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_histc, self, bins, min, max, ret0);
}

AOTITorchError aoti_torch_cuda_index_Tensor(AtenTensorHandle self, const AtenTensorHandle** indices,
                                            int64_t indices_len_, AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_index_Tensor, self, indices, indices_len_, ret0);
}

// Through the device-generic aoti_torch_index_put_out, which sums duplicates in the order of
// torch's CUDA kernel (not the CPU's) for CUDA tensors.
AOTITorchError aoti_torch_cuda_index_put(AtenTensorHandle self, const AtenTensorHandle** indices,
                                         int64_t indices_len_, AtenTensorHandle values,
                                         int32_t accumulate, AtenTensorHandle* ret0) {
  AtenTensorHandle out = nullptr;
  std::vector<AtenTensorHandle> list;
  const AOTITorchError checked = pt2run::shim::guard(__func__, [&] {
    PT2RUN_CHECK(indices_len_ >= 0 && indices_len_ <= 64 && (indices || indices_len_ == 0),
                 InvalidArgument, "bad index list of length ", indices_len_);
    pt2run::shim::require_out(ret0, "ret0");
    for (int64_t i = 0; i < indices_len_; ++i)
      list.push_back(indices[i] ? *indices[i] : nullptr);
    const pt2run::Tensor& s = pt2run::shim::tensor(self);
    out = pt2run::shim::release_handle(pt2run::detail::empty_like(s, s.dtype()));
  });
  if (checked != kShimSuccess) return checked;
  const AOTITorchError status =
      aoti_torch_index_put_out(out, self, list.data(), static_cast<uint32_t>(list.size()), values,
                               accumulate != 0);
  if (status != kShimSuccess) {
    delete reinterpret_cast<pt2run::Tensor*>(out);
    return status;
  }
  *ret0 = out;
  return kShimSuccess;
}

AOTITorchError aoti_torch_cuda_index_reduce(AtenTensorHandle self, int64_t dim,
                                            AtenTensorHandle index, AtenTensorHandle source,
                                            const char* reduce, int32_t include_self,
                                            AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_index_reduce, self, dim, index, source, reduce,
                         include_self, ret0);
}

AOTITorchError aoti_torch_cuda_kthvalue(AtenTensorHandle self, int64_t k, int64_t dim,
                                        int32_t keepdim, AtenTensorHandle* ret0,
                                        AtenTensorHandle* ret1) {
  return call_on_host<2>(__func__, aoti_torch_cpu_kthvalue, self, k, dim, keepdim, ret0, ret1);
}

AOTITorchError aoti_torch_cuda_logcumsumexp(AtenTensorHandle self, int64_t dim,
                                            AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_logcumsumexp, self, dim, ret0);
}

AOTITorchError aoti_torch_cuda_lu_unpack(AtenTensorHandle LU_data, AtenTensorHandle LU_pivots,
                                         int32_t unpack_data, int32_t unpack_pivots,
                                         AtenTensorHandle* ret0, AtenTensorHandle* ret1,
                                         AtenTensorHandle* ret2) {
  return call_on_host<3>(__func__, aoti_torch_cpu_lu_unpack, LU_data, LU_pivots, unpack_data,
                         unpack_pivots, ret0, ret1, ret2);
}

AOTITorchError aoti_torch_cuda_masked_scatter(AtenTensorHandle self, AtenTensorHandle mask,
                                              AtenTensorHandle source, AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_masked_scatter, self, mask, source, ret0);
}

AOTITorchError aoti_torch_cuda_masked_select(AtenTensorHandle self, AtenTensorHandle mask,
                                             AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_masked_select, self, mask, ret0);
}

AOTITorchError aoti_torch_cuda_max_pool2d_with_indices(
    AtenTensorHandle self, const int64_t* kernel_size, int64_t kernel_size_len_,
    const int64_t* stride, int64_t stride_len_, const int64_t* padding, int64_t padding_len_,
    const int64_t* dilation, int64_t dilation_len_, int32_t ceil_mode, AtenTensorHandle* ret0,
    AtenTensorHandle* ret1) {
  return call_on_host<2>(__func__, aoti_torch_cpu_max_pool2d_with_indices, self, kernel_size,
                         kernel_size_len_, stride, stride_len_, padding, padding_len_, dilation,
                         dilation_len_, ceil_mode, ret0, ret1);
}

AOTITorchError aoti_torch_cuda_max_pool3d_with_indices(
    AtenTensorHandle self, const int64_t* kernel_size, int64_t kernel_size_len_,
    const int64_t* stride, int64_t stride_len_, const int64_t* padding, int64_t padding_len_,
    const int64_t* dilation, int64_t dilation_len_, int32_t ceil_mode, AtenTensorHandle* ret0,
    AtenTensorHandle* ret1) {
  return call_on_host<2>(__func__, aoti_torch_cpu_max_pool3d_with_indices, self, kernel_size,
                         kernel_size_len_, stride, stride_len_, padding, padding_len_, dilation,
                         dilation_len_, ceil_mode, ret0, ret1);
}

AOTITorchError aoti_torch_cuda_max_unpool2d(AtenTensorHandle self, AtenTensorHandle indices,
                                            const int64_t* output_size, int64_t output_size_len_,
                                            AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_max_unpool2d, self, indices, output_size,
                         output_size_len_, ret0);
}

AOTITorchError aoti_torch_cuda_max_unpool3d(AtenTensorHandle self, AtenTensorHandle indices,
                                            const int64_t* output_size, int64_t output_size_len_,
                                            const int64_t* stride, int64_t stride_len_,
                                            const int64_t* padding, int64_t padding_len_,
                                            AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_max_unpool3d, self, indices, output_size,
                         output_size_len_, stride, stride_len_, padding, padding_len_, ret0);
}

AOTITorchError aoti_torch_cuda_median(AtenTensorHandle self, AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_median, self, ret0);
}

AOTITorchError aoti_torch_cuda_mode(AtenTensorHandle self, int64_t dim, int32_t keepdim,
                                    AtenTensorHandle* ret0, AtenTensorHandle* ret1) {
  return call_on_host<2>(__func__, aoti_torch_cpu_mode, self, dim, keepdim, ret0, ret1);
}

AOTITorchError aoti_torch_cuda_mul_Scalar(AtenTensorHandle self, double other,
                                          AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_mul_Scalar, self, other, ret0);
}

AOTITorchError aoti_torch_cuda_mul_Tensor(AtenTensorHandle self, AtenTensorHandle other,
                                          AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_mul_Tensor, self, other, ret0);
}

AOTITorchError aoti_torch_cuda_nanmedian(AtenTensorHandle self, AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_nanmedian, self, ret0);
}

AOTITorchError aoti_torch_cuda_nonzero(AtenTensorHandle self, AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_nonzero, self, ret0);
}

AOTITorchError aoti_torch_cuda_nonzero_static(AtenTensorHandle self, int64_t size,
                                              int64_t fill_value, AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_nonzero_static, self, size, fill_value, ret0);
}

AOTITorchError aoti_torch_cuda_ormqr(AtenTensorHandle self, AtenTensorHandle input2,
                                     AtenTensorHandle input3, int32_t left, int32_t transpose,
                                     AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_ormqr, self, input2, input3, left, transpose,
                         ret0);
}

AOTITorchError aoti_torch_cuda_pad(AtenTensorHandle self, const int64_t* pad, int64_t pad_len_,
                                   const char* mode, double* value, AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_pad, self, pad, pad_len_, mode, value, ret0);
}

AOTITorchError aoti_torch_cuda_polar(AtenTensorHandle abs, AtenTensorHandle angle,
                                     AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_polar, abs, angle, ret0);
}

AOTITorchError aoti_torch_cuda_pow_Scalar(double self, AtenTensorHandle exponent,
                                          AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_pow_Scalar, self, exponent, ret0);
}

AOTITorchError aoti_torch_cuda_pow_Tensor_Scalar(AtenTensorHandle self, double exponent,
                                                 AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_pow_Tensor_Scalar, self, exponent, ret0);
}

AOTITorchError aoti_torch_cuda_pow_Tensor_Tensor(AtenTensorHandle self, AtenTensorHandle exponent,
                                                 AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_pow_Tensor_Tensor, self, exponent, ret0);
}

AOTITorchError aoti_torch_cuda_repeat_interleave_Tensor(AtenTensorHandle repeats,
                                                        int64_t* output_size,
                                                        AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_repeat_interleave_Tensor, repeats, output_size,
                         ret0);
}

AOTITorchError aoti_torch_cuda_scatter_reduce_two_out(AtenTensorHandle out, AtenTensorHandle self,
                                                      int64_t dim, AtenTensorHandle index,
                                                      AtenTensorHandle src, const char* reduce,
                                                      int32_t include_self) {
  return call_on_host<0>(__func__, aoti_torch_cpu_scatter_reduce_two_out, out, self, dim, index,
                         src, reduce, include_self);
}

AOTITorchError aoti_torch_cuda_scatter_src_out(AtenTensorHandle out, AtenTensorHandle self,
                                               int64_t dim, AtenTensorHandle index,
                                               AtenTensorHandle src) {
  return call_on_host<0>(__func__, aoti_torch_cpu_scatter_src_out, out, self, dim, index, src);
}

AOTITorchError aoti_torch_cuda_scatter_value_out(AtenTensorHandle out, AtenTensorHandle self,
                                                 int64_t dim, AtenTensorHandle index,
                                                 double value) {
  return call_on_host<0>(__func__, aoti_torch_cpu_scatter_value_out, out, self, dim, index, value);
}

AOTITorchError aoti_torch_cuda_searchsorted_Scalar(AtenTensorHandle sorted_sequence, double self,
                                                   int32_t out_int32, int32_t right,
                                                   const char** side, AtenTensorHandle* sorter,
                                                   AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_searchsorted_Scalar, sorted_sequence, self,
                         out_int32, right, side, sorter, ret0);
}

AOTITorchError aoti_torch_cuda_searchsorted_Tensor(AtenTensorHandle sorted_sequence,
                                                   AtenTensorHandle self, int32_t out_int32,
                                                   int32_t right, const char** side,
                                                   AtenTensorHandle* sorter,
                                                   AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_searchsorted_Tensor, sorted_sequence, self,
                         out_int32, right, side, sorter, ret0);
}

AOTITorchError aoti_torch_cuda_segment_reduce(AtenTensorHandle data, const char* reduce,
                                              AtenTensorHandle* lengths, AtenTensorHandle* indices,
                                              AtenTensorHandle* offsets, int64_t axis,
                                              int32_t unsafe, double* initial,
                                              AtenTensorHandle* ret0) {
  return call_on_host<1>(__func__, aoti_torch_cpu_segment_reduce, data, reduce, lengths, indices,
                         offsets, axis, unsafe, initial, ret0);
}

AOTITorchError aoti_torch_cuda_sort(AtenTensorHandle self, int64_t dim, int32_t descending,
                                    AtenTensorHandle* ret0, AtenTensorHandle* ret1) {
  return call_on_host<2>(__func__, aoti_torch_cpu_sort, self, dim, descending, ret0, ret1);
}

AOTITorchError aoti_torch_cuda_sort_stable(AtenTensorHandle self, int32_t* stable, int64_t dim,
                                           int32_t descending, AtenTensorHandle* ret0,
                                           AtenTensorHandle* ret1) {
  return call_on_host<2>(__func__, aoti_torch_cpu_sort_stable, self, stable, dim, descending, ret0,
                         ret1);
}

AOTITorchError aoti_torch_cuda_topk(AtenTensorHandle self, int64_t k, int64_t dim, int32_t largest,
                                    int32_t sorted, AtenTensorHandle* ret0,
                                    AtenTensorHandle* ret1) {
  return call_on_host<2>(__func__, aoti_torch_cpu_topk, self, k, dim, largest, sorted, ret0, ret1);
}

AOTITorchError aoti_torch_cuda_triangular_solve(AtenTensorHandle self, AtenTensorHandle A,
                                                int32_t upper, int32_t transpose,
                                                int32_t unitriangular, AtenTensorHandle* ret0,
                                                AtenTensorHandle* ret1) {
  return call_on_host<2>(__func__, aoti_torch_cpu_triangular_solve, self, A, upper, transpose,
                         unitriangular, ret0, ret1);
}
