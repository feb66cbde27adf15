// aoti_torch_cpu__scaled_dot_product_flash_attention_for_cpu.

#include "backends/cpu/attention.h"
#include "shim/shim_guard.h"

using pt2run::shim::guard;
using pt2run::shim::optional_tensor;
using pt2run::shim::release_handle;
using pt2run::shim::require_out;
using pt2run::shim::tensor;

AOTITorchError aoti_torch_cpu__scaled_dot_product_flash_attention_for_cpu(
    AtenTensorHandle query, AtenTensorHandle key, AtenTensorHandle value, double dropout_p,
    int32_t is_causal, AtenTensorHandle* attn_mask, double* scale, AtenTensorHandle* ret0,
    AtenTensorHandle* ret1) {
  return guard(__func__, [&] {
    require_out(ret0, "ret0");
    require_out(ret1, "ret1");
    const pt2run::Tensor &q = tensor(query), &k = tensor(key), &v = tensor(value);
    // torch's CPU flash kernel takes one head size for all three; so does this fallback.
    PT2RUN_CHECK(q.dim() >= 1 && k.dim() >= 1 && v.dim() >= 1 && q.size(-1) == k.size(-1) && k.size(-1) == v.size(-1),
                 ShapeMismatch, "_scaled_dot_product_flash_attention_for_cpu: query, key and value need the same "
                 "head size, got ", q.describe(), ", ", k.describe(), ", ", v.describe());
    const pt2run::Tensor* mask = optional_tensor(attn_mask);
    std::optional<double> scale_value;
    if (scale) scale_value = *scale;
    auto result = pt2run::cpu::scaled_dot_product_attention(
        q, k, v, mask, is_causal != 0, scale_value, dropout_p);
    *ret0 = release_handle(std::move(result.output));
    *ret1 = release_handle(std::move(result.logsumexp));
  });
}
