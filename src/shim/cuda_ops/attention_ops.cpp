// aoti_torch_cuda__scaled_dot_product_{efficient,flash,cudnn}_attention on our fused kernel.

#include "backends/cuda/attention.h"
#include "shim/aoti_shim_cuda.h"
#include "shim/shim_guard.h"

using pt2run::DType;
using pt2run::Tensor;
using pt2run::cuda::AttentionFlavor;
using pt2run::cuda::AttentionOptions;
using pt2run::shim::guard;
using pt2run::shim::optional_tensor;
using pt2run::shim::release_handle;
using pt2run::shim::require_out;
using pt2run::shim::tensor;

namespace {

// The philox seed and offset torch returns without dropout: host scalars nobody reads.
Tensor rng_scalar(DType dtype, std::vector<int64_t> sizes = {}) { return Tensor::zeros(sizes, dtype); }

// Generated code passes nullptr for the outputs it knows are None (or never reads).
template <class T>
void set_if_wanted(T* slot, T value) {
  if (slot) *slot = value;
}
void set_if_wanted(AtenTensorHandle* slot, Tensor value) {
  if (slot) *slot = release_handle(std::move(value));
}

}  // namespace

AOTITorchError aoti_torch_cuda__scaled_dot_product_efficient_attention(
    AtenTensorHandle query, AtenTensorHandle key, AtenTensorHandle value, AtenTensorHandle* attn_bias,
    int32_t compute_log_sumexp, double dropout_p, int32_t is_causal, double* scale, AtenTensorHandle* ret0,
    AtenTensorHandle* ret1, AtenTensorHandle* ret2, AtenTensorHandle* ret3) {
  return guard(__func__, [&] {
    require_out(ret0, "ret0");
    AttentionOptions options{optional_tensor(attn_bias), is_causal != 0, std::nullopt, dropout_p,
                             compute_log_sumexp != 0};
    if (scale) options.scale = *scale;
    auto result = pt2run::cuda::scaled_dot_product_attention(tensor(query), tensor(key), tensor(value), options,
                                                             AttentionFlavor::Efficient);
    *ret0 = release_handle(std::move(result.output));
    set_if_wanted(ret1, std::move(result.logsumexp));
    set_if_wanted(ret2, rng_scalar(DType::Int64));
    set_if_wanted(ret3, rng_scalar(DType::Int64));
  });
}

AOTITorchError aoti_torch_cuda__scaled_dot_product_flash_attention(
    AtenTensorHandle query, AtenTensorHandle key, AtenTensorHandle value, double dropout_p, int32_t is_causal,
    int32_t return_debug_mask, double* scale, AtenTensorHandle* ret0, AtenTensorHandle* ret1, AtenTensorHandle* ret2,
    AtenTensorHandle* ret3, int64_t* ret4, int64_t* ret5, AtenTensorHandle* ret6, AtenTensorHandle* ret7,
    AtenTensorHandle* ret8) {
  return guard(__func__, [&] {
    require_out(ret0, "ret0");
    PT2RUN_CHECK(return_debug_mask == 0, NotImplemented,
                 "flash attention with return_debug_mask (a training-time debugging aid)");
    AttentionOptions options{nullptr, is_causal != 0, std::nullopt, dropout_p, true};
    if (scale) options.scale = *scale;
    const Tensor& q = tensor(query);
    auto result = pt2run::cuda::scaled_dot_product_attention(q, tensor(key), tensor(value), options,
                                                             AttentionFlavor::Flash);
    set_if_wanted(ret4, q.size(2));
    set_if_wanted(ret5, tensor(key).size(2));
    *ret0 = release_handle(std::move(result.output));
    set_if_wanted(ret1, std::move(result.logsumexp));
    set_if_wanted(ret2, Tensor());  // cum_seq_q: None
    set_if_wanted(ret3, Tensor());  // cum_seq_k: None
    set_if_wanted(ret6, rng_scalar(DType::UInt64, {2}));
    set_if_wanted(ret7, rng_scalar(DType::UInt64));
    set_if_wanted(ret8, Tensor::empty({0}, q.dtype(), q.device()));
  });
}

AOTITorchError aoti_torch_cuda__scaled_dot_product_cudnn_attention(
    AtenTensorHandle query, AtenTensorHandle key, AtenTensorHandle value, AtenTensorHandle* attn_bias,
    int32_t compute_log_sumexp, double dropout_p, int32_t is_causal, int32_t return_debug_mask, double* scale,
    AtenTensorHandle* ret0, AtenTensorHandle* ret1, AtenTensorHandle* ret2, AtenTensorHandle* ret3, int64_t* ret4,
    int64_t* ret5, AtenTensorHandle* ret6, AtenTensorHandle* ret7, AtenTensorHandle* ret8) {
  return guard(__func__, [&] {
    require_out(ret0, "ret0");
    PT2RUN_CHECK(return_debug_mask == 0, NotImplemented,
                 "cuDNN attention with return_debug_mask (a training-time debugging aid)");
    AttentionOptions options{optional_tensor(attn_bias), is_causal != 0, std::nullopt, dropout_p,
                             compute_log_sumexp != 0};
    if (scale) options.scale = *scale;
    const Tensor& q = tensor(query);
    auto result = pt2run::cuda::scaled_dot_product_attention(q, tensor(key), tensor(value), options,
                                                             AttentionFlavor::Cudnn);
    set_if_wanted(ret4, q.size(2));
    set_if_wanted(ret5, tensor(key).size(2));
    *ret0 = release_handle(std::move(result.output));
    set_if_wanted(ret1, std::move(result.logsumexp));
    set_if_wanted(ret2, Tensor());
    set_if_wanted(ret3, Tensor());
    set_if_wanted(ret6, rng_scalar(DType::Int64));
    set_if_wanted(ret7, rng_scalar(DType::Int64));
    set_if_wanted(ret8, Tensor());
  });
}
