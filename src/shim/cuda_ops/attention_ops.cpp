// aoti_torch_cuda__scaled_dot_product_{efficient,flash,cudnn}_attention, and the flash and
// efficient entry points they wrap (_flash_attention_forward{,_v2}, _efficient_attention_forward:
// [B, L, H, E] operands), on our fused kernel.

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

// [B, L, H, E] as [B, H, L, E] and back: the entry points take the heads second, SDPA third.
Tensor swap_heads(const Tensor& t, const char* op) {
  PT2RUN_CHECK(t.dim() == 4, ShapeMismatch, op, " takes [batch, length, heads, dim] tensors, got ", t.describe());
  return t.as_strided({t.size(0), t.size(2), t.size(1), t.size(3)}, {t.stride(0), t.stride(2), t.stride(1), t.stride(3)},
                      t.storage_offset());
}

// The variable-length, windowed, paged and ALiBi forms of flash attention: not supported.
void require_dense_flash(AtenTensorHandle* cum_seq_q, AtenTensorHandle* cum_seq_k, int64_t* window_left,
                         int64_t* window_right, AtenTensorHandle* seqused_k, AtenTensorHandle* alibi_slopes,
                         AtenTensorHandle* block_table, int32_t return_debug_mask) {
  PT2RUN_CHECK(!optional_tensor(cum_seq_q) && !optional_tensor(cum_seq_k), NotImplemented,
               "_flash_attention_forward with cumulative sequence lengths (variable-length batches)");
  PT2RUN_CHECK((!window_left || *window_left < 0) && (!window_right || *window_right < 0), NotImplemented,
               "_flash_attention_forward with a sliding window");
  PT2RUN_CHECK(!optional_tensor(seqused_k) && !optional_tensor(alibi_slopes) && !optional_tensor(block_table),
               NotImplemented, "_flash_attention_forward with seqused_k, ALiBi slopes or a paged KV cache");
  PT2RUN_CHECK(return_debug_mask == 0, NotImplemented,
               "flash attention with return_debug_mask (a training-time debugging aid)");
}

// _flash_attention_forward's outputs: out [B, L, H, Ev], softmax_lse [B, H, L], rng_state,
// unused, debug_attn_mask.
void flash_forward(AtenTensorHandle query, AtenTensorHandle key, AtenTensorHandle value, double dropout_p,
                   int32_t is_causal, double* scale, AtenTensorHandle* ret0, AtenTensorHandle* ret1,
                   AtenTensorHandle* ret2, AtenTensorHandle* ret3, AtenTensorHandle* ret4) {
  require_out(ret0, "ret0");
  constexpr const char* op = "_flash_attention_forward";
  AttentionOptions options{nullptr, is_causal != 0, std::nullopt, dropout_p, true};
  if (scale) options.scale = *scale;
  const Tensor& q = tensor(query);
  // FlashAttention aligns its causal mask to the bottom right; pt2run's kernel to the top left,
  // as SDPA does. The two agree when queries and keys are as many.
  PT2RUN_CHECK(is_causal == 0 || (q.dim() == 4 && tensor(key).dim() == 4 && q.size(1) == tensor(key).size(1)),
               NotImplemented, op, " causal with ", q.dim() == 4 ? q.size(1) : 0, " queries and ",
               tensor(key).dim() == 4 ? tensor(key).size(1) : 0, " keys (a bottom-right aligned mask)");
  auto result = pt2run::cuda::scaled_dot_product_attention(swap_heads(q, op), swap_heads(tensor(key), op),
                                                           swap_heads(tensor(value), op), options,
                                                           AttentionFlavor::Flash);
  *ret0 = release_handle(swap_heads(result.output, op));
  set_if_wanted(ret1, std::move(result.logsumexp));
  set_if_wanted(ret2, rng_scalar(DType::UInt64, {2}));
  set_if_wanted(ret3, Tensor::empty({0}, q.dtype(), q.device()));
  set_if_wanted(ret4, Tensor::empty({0}, q.dtype(), q.device()));
}

}  // namespace

AOTITorchError aoti_torch_cuda__flash_attention_forward(
    AtenTensorHandle query, AtenTensorHandle key, AtenTensorHandle value, AtenTensorHandle* cum_seq_q,
    AtenTensorHandle* cum_seq_k, int64_t /*max_q*/, int64_t /*max_k*/, double dropout_p, int32_t is_causal,
    int32_t return_debug_mask, double* scale, int64_t* window_size_left, int64_t* window_size_right,
    AtenTensorHandle* seqused_k, AtenTensorHandle* alibi_slopes, AtenTensorHandle* ret0, AtenTensorHandle* ret1,
    AtenTensorHandle* ret2, AtenTensorHandle* ret3, AtenTensorHandle* ret4) {
  return guard(__func__, [&] {
    require_dense_flash(cum_seq_q, cum_seq_k, window_size_left, window_size_right, seqused_k, alibi_slopes, nullptr,
                        return_debug_mask);
    flash_forward(query, key, value, dropout_p, is_causal, scale, ret0, ret1, ret2, ret3, ret4);
  });
}

// torch 2.12's form adds a paged KV cache (refused) and a split hint (a performance choice).
AOTITorchError aoti_torch_cuda__flash_attention_forward_v2(
    AtenTensorHandle query, AtenTensorHandle key, AtenTensorHandle value, AtenTensorHandle* cum_seq_q,
    AtenTensorHandle* cum_seq_k, int64_t /*max_q*/, int64_t /*max_k*/, double dropout_p, int32_t is_causal,
    int32_t return_debug_mask, double* scale, int64_t* window_size_left, int64_t* window_size_right,
    AtenTensorHandle* seqused_k, AtenTensorHandle* alibi_slopes, AtenTensorHandle* block_table,
    int64_t* /*num_splits*/, AtenTensorHandle* ret0, AtenTensorHandle* ret1, AtenTensorHandle* ret2,
    AtenTensorHandle* ret3, AtenTensorHandle* ret4) {
  return guard(__func__, [&] {
    require_dense_flash(cum_seq_q, cum_seq_k, window_size_left, window_size_right, seqused_k, alibi_slopes,
                        block_table, return_debug_mask);
    flash_forward(query, key, value, dropout_p, is_causal, scale, ret0, ret1, ret2, ret3, ret4);
  });
}

// custom_mask_type: 0 none, 1 causal from the top left, 2 causal from the bottom right (the
// same as 1 when queries and keys are as many). Outputs: out [B, M, H, Kv], logsumexp, philox
// seed and offset, the longest query and key lengths.
AOTITorchError aoti_torch_cuda__efficient_attention_forward(
    AtenTensorHandle query, AtenTensorHandle key, AtenTensorHandle value, AtenTensorHandle* bias,
    AtenTensorHandle* cu_seqlens_q, AtenTensorHandle* cu_seqlens_k, int64_t* /*max_seqlen_q*/,
    int64_t* /*max_seqlen_k*/, double dropout_p, int64_t custom_mask_type, int32_t compute_log_sumexp, double* scale,
    AtenTensorHandle* seqlen_k, int64_t* window_size, AtenTensorHandle* ret0, AtenTensorHandle* ret1,
    AtenTensorHandle* ret2, AtenTensorHandle* ret3, int64_t* ret4, int64_t* ret5) {
  return guard(__func__, [&] {
    require_out(ret0, "ret0");
    constexpr const char* op = "_efficient_attention_forward";
    PT2RUN_CHECK(!optional_tensor(cu_seqlens_q) && !optional_tensor(cu_seqlens_k) && !optional_tensor(seqlen_k),
                 NotImplemented, op, " with sequence-length tensors (variable-length batches)");
    PT2RUN_CHECK(!window_size || *window_size <= 0, NotImplemented, op, " with a sliding window");
    const Tensor q = swap_heads(tensor(query), op), k = swap_heads(tensor(key), op), v = swap_heads(tensor(value), op);
    PT2RUN_CHECK(custom_mask_type >= 0 && custom_mask_type <= 2, InvalidArgument, op, ": custom_mask_type must be 0, 1 or 2, got ",
                 custom_mask_type);
    PT2RUN_CHECK(custom_mask_type != 2 || q.size(2) == k.size(2), NotImplemented, op,
                 " causal from the bottom right with ", q.size(2), " queries and ", k.size(2), " keys");
    AttentionOptions options{optional_tensor(bias), custom_mask_type != 0, std::nullopt, dropout_p,
                             compute_log_sumexp != 0};
    if (scale) options.scale = *scale;
    auto result = pt2run::cuda::scaled_dot_product_attention(q, k, v, options, AttentionFlavor::Efficient);
    *ret0 = release_handle(swap_heads(result.output, op));
    set_if_wanted(ret1, std::move(result.logsumexp));
    set_if_wanted(ret2, rng_scalar(DType::Int64));
    set_if_wanted(ret3, rng_scalar(DType::Int64));
    set_if_wanted(ret4, q.size(2));
    set_if_wanted(ret5, k.size(2));
  });
}

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
