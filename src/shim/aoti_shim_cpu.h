#pragma once

// pt2run's declarations of the CPU fallback ops (generated-shim naming:
// aoti_torch_cpu_<op>[_<overload>]), written from the ABI description; included by
// aoti_shim.h, whose types they use, and checked against torch's c_shim_cpu.h by tests/abi.

#include "shim/aoti_shim.h"

PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_mm_out(AtenTensorHandle out, AtenTensorHandle self,
                                                        AtenTensorHandle mat2);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_addmm_out(AtenTensorHandle out,
                                                           AtenTensorHandle self,
                                                           AtenTensorHandle mat1,
                                                           AtenTensorHandle mat2, double beta,
                                                           double alpha);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_bmm_out(AtenTensorHandle out, AtenTensorHandle self,
                                                         AtenTensorHandle mat2);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_baddbmm_out(AtenTensorHandle out,
                                                             AtenTensorHandle self,
                                                             AtenTensorHandle batch1,
                                                             AtenTensorHandle batch2, double beta,
                                                             double alpha);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_convolution(
    AtenTensorHandle input, AtenTensorHandle weight, AtenTensorHandle* bias, const int64_t* stride,
    int64_t stride_len_, const int64_t* padding, int64_t padding_len_, const int64_t* dilation,
    int64_t dilation_len_, int32_t transposed, const int64_t* output_padding,
    int64_t output_padding_len_, int64_t groups, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_cumsum(AtenTensorHandle self, int64_t dim,
                                                        int32_t* dtype, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_cumprod(AtenTensorHandle self, int64_t dim,
                                                         int32_t* dtype, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_logcumsumexp(AtenTensorHandle self, int64_t dim,
                                                              AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_sort(AtenTensorHandle self, int64_t dim,
                                                      int32_t descending, AtenTensorHandle* ret0,
                                                      AtenTensorHandle* ret1);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_sort_stable(AtenTensorHandle self, int32_t* stable,
                                                             int64_t dim, int32_t descending,
                                                             AtenTensorHandle* ret0,
                                                             AtenTensorHandle* ret1);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_topk(AtenTensorHandle self, int64_t k, int64_t dim,
                                                      int32_t largest, int32_t sorted,
                                                      AtenTensorHandle* ret0, AtenTensorHandle* ret1);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_searchsorted_Tensor(
    AtenTensorHandle sorted_sequence, AtenTensorHandle self, int32_t out_int32, int32_t right,
    const char** side, AtenTensorHandle* sorter, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_searchsorted_Scalar(
    AtenTensorHandle sorted_sequence, double self, int32_t out_int32, int32_t right,
    const char** side, AtenTensorHandle* sorter, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_nonzero(AtenTensorHandle self, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_histc(AtenTensorHandle self, int64_t bins, double min,
                                                       double max, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_addmv(AtenTensorHandle self, AtenTensorHandle mat,
                                                       AtenTensorHandle vec, double beta, double alpha,
                                                       AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_addbmm(AtenTensorHandle self, AtenTensorHandle batch1,
                                                        AtenTensorHandle batch2, double beta,
                                                        double alpha, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu__addmm_activation(AtenTensorHandle self,
                                                                   AtenTensorHandle mat1,
                                                                   AtenTensorHandle mat2, double beta,
                                                                   double alpha, int32_t use_gelu,
                                                                   AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_cummax(AtenTensorHandle self, int64_t dim,
                                                        AtenTensorHandle* ret0, AtenTensorHandle* ret1);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_cummin(AtenTensorHandle self, int64_t dim,
                                                        AtenTensorHandle* ret0, AtenTensorHandle* ret1);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_kthvalue(AtenTensorHandle self, int64_t k, int64_t dim,
                                                          int32_t keepdim, AtenTensorHandle* ret0,
                                                          AtenTensorHandle* ret1);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_masked_select(AtenTensorHandle self, AtenTensorHandle mask,
                                                               AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_repeat_interleave_Tensor(AtenTensorHandle repeats,
                                                                          int64_t* output_size,
                                                                          AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu__embedding_bag(
    AtenTensorHandle weight, AtenTensorHandle indices, AtenTensorHandle offsets,
    int32_t scale_grad_by_freq, int64_t mode, int32_t sparse, AtenTensorHandle* per_sample_weights,
    int32_t include_last_offset, int64_t padding_idx, AtenTensorHandle* ret0, AtenTensorHandle* ret1,
    AtenTensorHandle* ret2, AtenTensorHandle* ret3);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_scatter_reduce_two_out(
    AtenTensorHandle out, AtenTensorHandle self, int64_t dim, AtenTensorHandle index,
    AtenTensorHandle src, const char* reduce, int32_t include_self);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_segment_reduce(
    AtenTensorHandle data, const char* reduce, AtenTensorHandle* lengths, AtenTensorHandle* indices,
    AtenTensorHandle* offsets, int64_t axis, int32_t unsafe, double* initial, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu__fft_r2c(AtenTensorHandle self, const int64_t* dim,
                                                          int64_t dim_len_, int64_t normalization,
                                                          int32_t onesided, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu__fft_c2c(AtenTensorHandle self, const int64_t* dim,
                                                          int64_t dim_len_, int64_t normalization,
                                                          int32_t forward, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_abs(AtenTensorHandle self, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_view_as_real(AtenTensorHandle self, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu__int_mm_out(AtenTensorHandle out, AtenTensorHandle self,
                                                             AtenTensorHandle mat2);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu__weight_int8pack_mm(AtenTensorHandle self,
                                                                     AtenTensorHandle mat2,
                                                                     AtenTensorHandle scales,
                                                                     AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu__cdist_forward(AtenTensorHandle x1, AtenTensorHandle x2,
                                                                double p, int64_t* compute_mode,
                                                                AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_randint_low_out(AtenTensorHandle out, int64_t low,
                                                                 int64_t high, const int64_t* size,
                                                                 int64_t size_len_);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_mkldnn_rnn_layer(
    AtenTensorHandle input, AtenTensorHandle weight0, AtenTensorHandle weight1,
    AtenTensorHandle weight2, AtenTensorHandle weight3, AtenTensorHandle hx_, AtenTensorHandle cx_,
    int32_t reverse, const int64_t* batch_sizes, int64_t batch_sizes_len_, int64_t mode,
    int64_t hidden_size, int64_t num_layers, int32_t has_biases, int32_t bidirectional,
    int32_t batch_first, int32_t train, AtenTensorHandle* ret0, AtenTensorHandle* ret1,
    AtenTensorHandle* ret2, AtenTensorHandle* ret3);
// torch's fused oneDNN ops (packages exported with freezing; shim/cpu_ops/mkldnn_ops.cpp).
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_mkldnn__convolution_pointwise(
    AtenTensorHandle X, AtenTensorHandle W, AtenTensorHandle* B, const int64_t* padding, int64_t padding_len_,
    const int64_t* stride, int64_t stride_len_, const int64_t* dilation, int64_t dilation_len_, int64_t groups,
    const char* attr, const double** scalars, int64_t scalars_len_, const char** algorithm, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_mkldnn__convolution_pointwise_binary(
    AtenTensorHandle X, AtenTensorHandle other, AtenTensorHandle W, AtenTensorHandle* B, const int64_t* padding,
    int64_t padding_len_, const int64_t* stride, int64_t stride_len_, const int64_t* dilation, int64_t dilation_len_,
    int64_t groups, const char* binary_attr, double* alpha, const char** unary_attr, const double** unary_scalars,
    int64_t unary_scalars_len_, const char** unary_algorithm, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_mkldnn__convolution_pointwise_binary_(
    AtenTensorHandle other, AtenTensorHandle X, AtenTensorHandle W, AtenTensorHandle* B, const int64_t* padding,
    int64_t padding_len_, const int64_t* stride, int64_t stride_len_, const int64_t* dilation, int64_t dilation_len_,
    int64_t groups, const char* binary_attr, double* alpha, const char** unary_attr, const double** unary_scalars,
    int64_t unary_scalars_len_, const char** unary_algorithm, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_mkldnn__convolution_transpose_pointwise(
    AtenTensorHandle X, AtenTensorHandle W, AtenTensorHandle* B, const int64_t* padding, int64_t padding_len_,
    const int64_t* output_padding, int64_t output_padding_len_, const int64_t* stride, int64_t stride_len_,
    const int64_t* dilation, int64_t dilation_len_, int64_t groups, const char* attr, const double** scalars,
    int64_t scalars_len_, const char** algorithm, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu__linear_pointwise(AtenTensorHandle X, AtenTensorHandle W,
                                                                   AtenTensorHandle* B, const char* attr,
                                                                   const double** scalars, int64_t scalars_len_,
                                                                   const char** algorithm, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu__linear_pointwise_binary(AtenTensorHandle X, AtenTensorHandle other,
                                                                          AtenTensorHandle W, AtenTensorHandle* B,
                                                                          const char* attr, AtenTensorHandle* ret0);
// Refused: MKL's packed weights are MKL's own format.
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu__mkl_linear(AtenTensorHandle X, AtenTensorHandle W,
                                                             AtenTensorHandle origin_W, AtenTensorHandle* B,
                                                             int64_t prepack_batch_size, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu__scaled_dot_product_flash_attention_for_cpu(
    AtenTensorHandle query, AtenTensorHandle key, AtenTensorHandle value, double dropout_p,
    int32_t is_causal, AtenTensorHandle* attn_mask, double* scale, AtenTensorHandle* ret0,
    AtenTensorHandle* ret1);

// Views and arithmetic (AOTInductor falls back to these for complex tensors, which its kernels
// do not cover).
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_view_dtype(AtenTensorHandle self, int32_t dtype,
                                                            AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_view_as_complex(AtenTensorHandle self, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_permute(AtenTensorHandle self, const int64_t* dims,
                                                         int64_t dims_len_, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_slice_Tensor(AtenTensorHandle self, int64_t dim,
                                                              int64_t* start, int64_t* end, int64_t step,
                                                              AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_squeeze_dim(AtenTensorHandle self, int64_t dim,
                                                             AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_narrow(AtenTensorHandle self, int64_t dim, int64_t start,
                                                        int64_t length, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_reshape(AtenTensorHandle self, const int64_t* shape,
                                                         int64_t shape_len_, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_add_Tensor(AtenTensorHandle self, AtenTensorHandle other,
                                                            double alpha, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_add_Scalar(AtenTensorHandle self, double other,
                                                            double alpha, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_mul_Tensor(AtenTensorHandle self, AtenTensorHandle other,
                                                            AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_mul_Scalar(AtenTensorHandle self, double other,
                                                            AtenTensorHandle* ret0);

// Indexing with tensors (boolean masks, data-dependent sizes; deterministic mode's index_put).
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_index_Tensor(AtenTensorHandle self,
                                                              const AtenTensorHandle** indices,
                                                              int64_t indices_len_, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_index_put(AtenTensorHandle self,
                                                           const AtenTensorHandle** indices,
                                                           int64_t indices_len_, AtenTensorHandle values,
                                                           int32_t accumulate, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_index_put_out(AtenTensorHandle out, AtenTensorHandle self,
                                                           const AtenTensorHandle* indices,
                                                           const uint32_t num_indices,
                                                           const AtenTensorHandle values, bool accumulate);

// Random values drawn here (most random ops are kernels seeded by randint_low_out).
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_normal_functional(AtenTensorHandle self, double mean,
                                                                   double std, AtenGeneratorHandle* generator,
                                                                   AtenTensorHandle* ret0);

PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_uniform(AtenTensorHandle self, double from, double to,
                                                         AtenGeneratorHandle* generator, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_rand(const int64_t* size, int64_t size_len_, int32_t* dtype,
                                                      int32_t* layout, int32_t* device, int32_t device_index_,
                                                      int32_t* pin_memory, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_randn(const int64_t* size, int64_t size_len_, int32_t* dtype,
                                                       int32_t* layout, int32_t* device, int32_t device_index_,
                                                       int32_t* pin_memory, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_rand_like(AtenTensorHandle self, int32_t* dtype, int32_t* layout,
                                                           int32_t* device, int32_t device_index_,
                                                           int32_t* pin_memory, int32_t* memory_format,
                                                           AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_randn_like(AtenTensorHandle self, int32_t* dtype, int32_t* layout,
                                                            int32_t* device, int32_t device_index_,
                                                            int32_t* pin_memory, int32_t* memory_format,
                                                            AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_randint_low(int64_t low, int64_t high, const int64_t* size,
                                                             int64_t size_len_, int32_t* dtype, int32_t* layout,
                                                             int32_t* device, int32_t device_index_,
                                                             int32_t* pin_memory, AtenTensorHandle* ret0);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_randperm(int64_t n, int32_t* dtype, int32_t* layout,
                                                          int32_t* device, int32_t device_index_,
                                                          int32_t* pin_memory, AtenTensorHandle* ret0);

// Windows.
PT2RUN_SHIM_EXPORT AOTITorchError aoti_torch_cpu_hann_window(int64_t window_length, int32_t* dtype,
                                                             int32_t* layout, int32_t* device,
                                                             int32_t device_index_, int32_t* pin_memory,
                                                             AtenTensorHandle* ret0);

// Profiling regions (packages exported with cpp.enable_kernel_profile).
struct AtenRecordFunctionOpaque;
using AtenRecordFunctionHandle = AtenRecordFunctionOpaque*;
struct IValueMapOpaque;
using IValueMapHandle = IValueMapOpaque*;
struct C10IValueOpaque;
using C10IValueHandle = C10IValueOpaque*;
PT2RUN_SHIM_EXPORT AOTITorchError aoti_record_function_start(const char* name, IValueMapHandle kwargs,
                                                             const C10IValueHandle* inputs,
                                                             const uint64_t n_inputs,
                                                             AtenRecordFunctionHandle* guard);
PT2RUN_SHIM_EXPORT AOTITorchError aoti_record_function_end(AtenRecordFunctionHandle guard);
