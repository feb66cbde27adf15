#include "backends/cpu/linear_pointwise.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "backends/cpu/onednn_packed.h"
#include "backends/cpu/onednn_plans.h"
#include "core/check.h"
#include "core/constant_weights.h"
#include "core/layout.h"

namespace pt2run::cpu {

using dnnl::memory;

Tensor linear_pointwise(const Tensor& input, const Tensor& weight, const Tensor* bias, const Epilogue& epilogue) {
  PT2RUN_CHECK(input.device().is_cpu() && weight.device().is_cpu() && (!bias || bias->device().is_cpu()),
               DeviceMismatch, "mkldnn._linear_pointwise: the CPU backend got tensors on another device");
  PT2RUN_CHECK(input.dim() >= 1 && weight.dim() == 2 && input.size(-1) == weight.size(1), ShapeMismatch,
               "mkldnn._linear_pointwise: input ", input.describe(), " does not match weight ", weight.describe());
  PT2RUN_CHECK(weight.dtype() == input.dtype(), DTypeMismatch, "mkldnn._linear_pointwise: input ",
               input.describe(), " and weight ", weight.describe(), " differ in dtype");
  const int64_t k = weight.size(1), n = weight.size(0);
  PT2RUN_CHECK(!bias || (bias->dim() == 1 && bias->size(0) == n), ShapeMismatch, "mkldnn._linear_pointwise: bias ",
               bias ? bias->describe() : "", " does not match weight ", weight.describe());
  std::vector<int64_t> out_sizes(input.sizes().begin(), input.sizes().end());
  out_sizes.back() = n;
  Tensor out = Tensor::empty(out_sizes, input.dtype());
  if (epilogue.binary != Binary::None)
    PT2RUN_CHECK(detail::sizes_of(epilogue.other) == out_sizes && epilogue.other.dtype() == out.dtype(), ShapeMismatch,
                 "the fused binary op's operand is ", epilogue.other.describe(), ", the linear layer's result ",
                 out.describe());
  if (out.numel() == 0) return out;
  const int64_t m = out.numel() / n;
  if (k == 0) {
    // No products: the bias (or zeros), then the epilogue.
    Tensor row = bias ? bias->to(out.dtype()) : Tensor::zeros({n}, out.dtype());
    for (int64_t r = 0; r < m; ++r)
      std::copy_n(static_cast<const std::byte*>(row.data_ptr()), row.nbytes(),
                  static_cast<std::byte*>(out.data_ptr()) + r * static_cast<int64_t>(row.nbytes()));
    apply_epilogue(out, epilogue);
    return out;
  }
  const memory::data_type type = onednn::float_type(input.dtype(), "mkldnn._linear_pointwise");
  const Tensor src = input.contiguous();
  const Tensor other = epilogue.binary != Binary::None ? epilogue.other.contiguous() : Tensor();
  const detail::PackedLayout* packed = onednn::packed_layout(weight);

  std::vector<int64_t> key{/*kind: linear*/ 3, static_cast<int64_t>(type), m, n, k, bias ? static_cast<int64_t>(bias->dtype()) : -1,
                           bias ? bias->stride(0) : 0, other.defined() ? 1 : 0,
                           weight.stride(0), weight.stride(1), packed ? 1 : 0};
  if (packed) {
    onednn::append_key(key, packed->strides);
    onednn::append_key(key, packed->inner_blocks);
    onednn::append_key(key, packed->inner_indices);
  }
  append_epilogue_key(key, epilogue);
  const auto& engine = onednn::engine();
  // Everything the memory descriptors below depend on is in the key: a cached plan carries them.
  auto plan = onednn::plan(key, [&] {
    const memory::desc src_md({m, k}, type, {k, 1});
    const memory::desc dst_md({m, n}, type, {n, 1});
    const memory::desc bias_md =
        bias ? memory::desc({n}, onednn::float_type(bias->dtype(), "mkldnn._linear_pointwise"), {bias->stride(0)})
             : memory::desc();
    const memory::desc other_md = other.defined() ? dst_md : memory::desc();
    const memory::desc wei_md = packed ? onednn::packed_desc(*packed)
                                       : memory::desc({n, k}, type, {weight.stride(0), weight.stride(1)});
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    if (!epilogue.empty()) attr.set_post_ops(post_ops(epilogue, other_md));
    const memory::desc any_wei({n, k}, type, memory::format_tag::any);
    auto describe = [&](const memory::desc& wei_want) {
      return dnnl::inner_product_forward::primitive_desc(engine, dnnl::prop_kind::forward_inference, src_md,
                                                         wei_want, bias_md, dst_md, attr);
    };
    // A prepacked weight is read as torch's oneDNN laid it out where this oneDNN's fast kernel
    // takes that layout (no second copy).
    std::optional<dnnl::inner_product_forward::primitive_desc> exact;
    if (packed) {
      try {
        exact = describe(wei_md);
        if (std::string_view(exact->impl_info_str()).starts_with("ref")) exact.reset();
      } catch (const dnnl::error&) {
        exact.reset();
      }
    }
    const auto pd = exact ? *exact : describe(any_wei);
    onednn::Plan made;
    made.primitive = dnnl::inner_product_forward(pd);
    made.src_fmt = pd.src_desc();
    made.wei_fmt = pd.weights_desc();
    made.dst_fmt = pd.dst_desc();
    made.scratch_fmt = pd.scratchpad_desc();
    onednn::weight_reorder(made, wei_md);
    made.user.emplace_back(DNNL_ARG_SRC, src_md);
    made.user.emplace_back(DNNL_ARG_DST, dst_md);
    if (bias) made.user.emplace_back(DNNL_ARG_BIAS, bias_md);
    if (other.defined()) made.user.emplace_back(DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, other_md);
    std::vector<int64_t> layout{static_cast<int64_t>(type)};
    for (const auto& dims : {made.wei_fmt.get_padded_dims(), made.wei_fmt.get_strides(), made.wei_fmt.get_inner_blks(),
                             made.wei_fmt.get_inner_idxs()})
      onednn::append_key(layout, dims);
    made.wei_layout = std::string(reinterpret_cast<const char*>(layout.data()), layout.size() * sizeof(int64_t));
    return made;
  });

  onednn::Execution exec(*plan);
  constexpr int kOther = DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1;
  memory wei = exec.bind(DNNL_ARG_WEIGHTS, weight.data_ptr());
  std::shared_ptr<void> kept;
  if (plan->to_wei) {
    // Re-laid out once while the weight stays a model constant (constant_weights.h); per call
    // otherwise.
    auto pack = [&] {
      auto copy = std::make_shared<memory>(plan->wei_fmt, engine);
      onednn::reorder_weight(*plan, wei, *copy);
      return detail::Packed{copy, plan->wei_fmt.get_size()};
    };
    kept = detail::packed_constant(weight.data_ptr(), weight.nbytes(), plan->wei_layout, pack);
    if (!kept) kept = pack().value;
    wei = *std::static_pointer_cast<memory>(kept);
  }
  exec.pass(DNNL_ARG_SRC, src.data_ptr());
  exec.pass(DNNL_ARG_WEIGHTS, wei);
  exec.pass(DNNL_ARG_DST, out.data_ptr());
  if (bias) exec.pass(DNNL_ARG_BIAS, bias->data_ptr());
  if (other.defined()) exec.pass(kOther, other.data_ptr());
  exec.run();
  return out;
}

}  // namespace pt2run::cpu
