#include "backends/cpu/convolution.h"

#include "backends/cpu/direct_convolution.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "backends/cpu/onednn_packed.h"
#include "core/constant_weights.h"
#include "backends/cpu/onednn_plans.h"
#include "core/check.h"
#include "core/layout.h"

namespace pt2run::cpu {
namespace {

using dnnl::memory;

memory::dims dims_of(std::span<const int64_t> v) { return memory::dims(v.begin(), v.end()); }

// A user tensor as oneDNN memory, in place (oneDNN accepts arbitrary strides).
memory::desc strided_desc(const Tensor& t, memory::data_type type) {
  return memory::desc(dims_of(t.sizes()), type, dims_of(t.strides()));
}

// torch weight [O, I/g, *k] (or transposed [I, O/g, *k]) as oneDNN's grouped weights
// [g, O/g, I/g, *k], expressed through strides so no copy is needed.
memory::desc weight_desc(const Tensor& w, int64_t groups, bool transposed, int64_t in_channels,
                         memory::data_type type) {
  const auto& s = w.strides();
  memory::dims dims, strides;
  if (!transposed) {
    int64_t ocg = w.sizes()[0] / groups;
    dims = {groups, ocg, w.sizes()[1]};
    strides = {ocg * s[0], s[0], s[1]};
  } else {
    int64_t icg = in_channels / groups;
    dims = {groups, w.sizes()[1], icg};
    strides = {icg * s[0], s[1], s[0]};
  }
  for (int64_t d = 2; d < w.dim(); ++d) {
    dims.push_back(w.sizes()[d]);
    strides.push_back(s[d]);
  }
  return memory::desc(dims, type, strides);
}

struct Geometry {
  std::vector<int64_t> out_sizes;          // full output sizes [N, O, *spatial]
  memory::dims strides, dilates, pad_l, pad_r;  // oneDNN terms (dilation - 1)
  std::vector<int64_t> computed_spatial;   // spatial extent oneDNN computes (<= out)
  std::vector<int64_t> input_spatial;      // spatial extent of input oneDNN reads (<= in)
};

Geometry geometry(const Tensor& input, const Tensor& weight, const ConvolutionParams& p) {
  const int64_t spatial = input.dim() - 2;
  Geometry g;
  g.out_sizes = detail::convolution_output_sizes(input, weight, p);
  for (int64_t d = 0; d < spatial; ++d) {
    const int64_t in = input.sizes()[2 + d], k = weight.sizes()[2 + d];
    const int64_t s = p.stride[d], pad = p.padding[d], dil = p.dilation[d];
    const int64_t extent = dil * (k - 1) + 1;
    const int64_t out = g.out_sizes[static_cast<std::size_t>(2 + d)];
    int64_t pr;
    int64_t read = in;
    if (!p.transposed) {
      pr = (out - 1) * s + extent - in - pad;
      if (pr < 0 && pr > -s) {
        // The last stride step ends inside the input: oneDNN's output-size rule rounds down
        // as torch's does, so no right padding is needed (reading less would give the
        // activations non-dense strides, which only oneDNN's reference kernel accepts).
        pr = 0;
      } else if (pr < 0) {
        // Trailing input the kernel never reaches: read less instead of padding negatively.
        read = in + pr;
        pr = 0;
      }
      g.computed_spatial.push_back(out);
    } else {
      pr = pad - p.output_padding[d];
      // Negative right padding: the last -pr outputs get no kernel tap, only the bias.
      g.computed_spatial.push_back(pr < 0 ? out + pr : out);
      if (pr < 0) pr = 0;
    }
    g.input_spatial.push_back(read);
    g.strides.push_back(s);
    g.dilates.push_back(dil - 1);
    g.pad_l.push_back(pad);
    g.pad_r.push_back(pr);
  }
  return g;
}

// Runs the convolution with all operands in `type`; out must already hold the final shape.
void run(const Tensor& input, const Tensor& weight, const Tensor* bias, const Tensor& out,
         const ConvolutionParams& p, const Geometry& g, memory::data_type type, const Epilogue& epilogue) {
  const auto& engine = onednn::engine();
  // Views limited to the extents oneDNN actually touches.
  std::vector<int64_t> in_sizes(input.sizes().begin(), input.sizes().begin() + 2);
  in_sizes.insert(in_sizes.end(), g.input_spatial.begin(), g.input_spatial.end());
  Tensor in_view = input.as_strided(in_sizes, {input.strides().begin(), input.strides().end()},
                                    input.storage_offset());
  std::vector<int64_t> dst_sizes(out.sizes().begin(), out.sizes().begin() + 2);
  dst_sizes.insert(dst_sizes.end(), g.computed_spatial.begin(), g.computed_spatial.end());
  Tensor dst_view = out.as_strided(dst_sizes, {out.strides().begin(), out.strides().end()},
                                   out.storage_offset());

  // A prepacked weight is read in its own layout (dims [O, I, *k], grouped [g, O/g, I/g, *k]).
  const detail::PackedLayout* prepacked = onednn::packed_layout(weight);
  // oneDNN 3's brgemm kernels read channels-last activations in place; for other layouts
  // it picks a blocked one and the activations are reordered around the call.
  const bool direct = detail::convolution_channels_last(input, weight);
  const bool binary = epilogue.binary != Binary::None;
  constexpr int kOther = DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1;

  std::vector<int64_t> key{/*kind: convolution*/ 1, static_cast<int64_t>(type), p.transposed ? 1 : 0, p.groups,
                           direct ? 1 : 0, bias ? bias->strides()[0] : -1};
  key.reserve(96);  // grown once, not at each of the lists below
  onednn::append_key(key, in_view.sizes());
  onednn::append_key(key, in_view.strides());
  onednn::append_key(key, weight.sizes());
  onednn::append_key(key, weight.strides());
  onednn::append_key(key, dst_view.strides());
  onednn::append_key(key, g.strides);
  onednn::append_key(key, g.dilates);
  onednn::append_key(key, g.pad_l);
  onednn::append_key(key, g.pad_r);
  if (prepacked) {
    onednn::append_key(key, prepacked->strides);
    onednn::append_key(key, prepacked->inner_blocks);
    onednn::append_key(key, prepacked->inner_indices);
  }
  append_epilogue_key(key, epilogue);
  // Everything the memory descriptors below depend on is in the key: a cached plan carries them.
  auto plan = onednn::plan(key, [&] {
    const memory::desc src_md = strided_desc(in_view, type), dst_md = strided_desc(dst_view, type);
    const memory::desc bias_md =
        bias ? memory::desc({bias->sizes()[0]}, type, {bias->strides()[0]}) : memory::desc();
    const memory::desc other_md = binary ? strided_desc(epilogue.other, type) : memory::desc();
    const memory::desc wei_md = prepacked ? onednn::packed_desc(*prepacked)
                                          : weight_desc(weight, p.groups, p.transposed, input.sizes()[1], type);
    auto any = [](const memory::desc& md) {
      return memory::desc(md.get_dims(), md.get_data_type(), memory::format_tag::any);
    };
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    if (!epilogue.empty()) attr.set_post_ops(post_ops(epilogue, other_md));
    auto make = [&](const memory::desc& src_want, const memory::desc& dst_want, const memory::desc& wei_want) {
      onednn::Plan made;
      // Convolution and transposed convolution differ only in the primitive's type.
      auto build = [&]<class Primitive>(dnnl::algorithm algorithm) {
        typename Primitive::primitive_desc pd(engine, dnnl::prop_kind::forward_inference, algorithm,
                                              src_want, wei_want, bias_md, dst_want, g.strides,
                                              g.dilates, g.pad_l, g.pad_r, attr);
        made.src_fmt = pd.src_desc();
        made.wei_fmt = pd.weights_desc();
        made.dst_fmt = pd.dst_desc();
        made.scratch_fmt = pd.scratchpad_desc();
        made.primitive = Primitive(pd);
        return std::string(pd.impl_info_str());
      };
      const std::string impl =
          p.transposed
              ? build.template operator()<dnnl::deconvolution_forward>(dnnl::algorithm::deconvolution_direct)
              : build.template operator()<dnnl::convolution_forward>(dnnl::algorithm::convolution_direct);
      return std::pair{made, impl};
    };
    auto is_ref = [](const std::string& impl) { return impl.rfind("ref", 0) == 0; };
    const memory::desc src_want = direct ? src_md : any(src_md), dst_want = direct ? dst_md : any(dst_md);
    std::optional<std::pair<onednn::Plan, std::string>> chosen;
    if (prepacked) {
      // A prepacked weight is in the layout torch's oneDNN chose for this convolution; where
      // this oneDNN's fast kernels read it as it is, no copy is made (this version may prefer
      // another blocking, and re-laying a weight out between two blocked formats runs its
      // slow generic reorder).
      try {
        chosen = make(src_want, dst_want, wei_md);
        if (is_ref(chosen->second)) chosen.reset();
      } catch (const dnnl::error&) {
        chosen.reset();
      }
    }
    if (!chosen) chosen = make(src_want, dst_want, any(wei_md));
    auto [made, impl] = *chosen;
    // Activations oneDNN's fast kernels cannot read in place (strides they do not take) get
    // its reference kernel, 30x slower: reordering them into its blocked layout is far cheaper.
    if (direct && is_ref(impl)) made = make(any(src_md), any(dst_md), any(wei_md)).first;
    auto reorder = [&](const memory::desc& from, const memory::desc& to) {
      return from == to ? dnnl::primitive()
                        : dnnl::primitive(dnnl::reorder(dnnl::reorder::primitive_desc(engine, from, engine, to)));
    };
    made.to_src = reorder(src_md, made.src_fmt);
    onednn::weight_reorder(made, wei_md);
    made.from_dst = reorder(made.dst_fmt, dst_md);
    made.user.emplace_back(DNNL_ARG_SRC, src_md);
    made.user.emplace_back(DNNL_ARG_DST, dst_md);
    if (bias) made.user.emplace_back(DNNL_ARG_BIAS, bias_md);
    if (binary) made.user.emplace_back(kOther, other_md);
    return made;
  });

  dnnl::stream& stream = onednn::stream();
  onednn::Execution exec(*plan);
  // Reorder user memory into the layouts the primitive chose, where they differ.
  auto prepare = [&](const dnnl::primitive& reorder, const memory::desc& want, const memory& user_mem) {
    if (!reorder) return user_mem;
    memory converted(want, engine);
    reorder.execute(stream, {{DNNL_ARG_FROM, user_mem}, {DNNL_ARG_TO, converted}});
    return converted;
  };
  const memory src = prepare(plan->to_src, plan->src_fmt, exec.bind(DNNL_ARG_SRC, in_view.data_ptr()));
  // A model constant is packed once into the layout the kernel wants (constant_weights.h).
  std::shared_ptr<void> packed;
  memory wei;
  if (plan->to_wei) {
    std::string layout(reinterpret_cast<const char*>(key.data()), key.size() * sizeof(int64_t));
    const memory given = exec.bind(DNNL_ARG_WEIGHTS, weight.data_ptr());
    packed = detail::packed_constant(weight.data_ptr(), weight.nbytes(), layout, [&] {
      auto copy = std::make_shared<memory>(plan->wei_fmt, engine);
      onednn::reorder_weight(*plan, given, *copy);
      return detail::Packed{copy, plan->wei_fmt.get_size()};
    });
    if (packed) {
      wei = *std::static_pointer_cast<memory>(packed);
    } else {
      wei = memory(plan->wei_fmt, engine);
      onednn::reorder_weight(*plan, given, wei);
    }
  } else {
    wei = exec.bind(DNNL_ARG_WEIGHTS, weight.data_ptr());
  }
  const memory dst_user = exec.bind(DNNL_ARG_DST, dst_view.data_ptr());
  const memory dst = plan->from_dst ? memory(plan->dst_fmt, engine) : dst_user;
  exec.pass(DNNL_ARG_SRC, src);
  exec.pass(DNNL_ARG_WEIGHTS, wei);
  exec.pass(DNNL_ARG_DST, dst);
  if (bias) exec.pass(DNNL_ARG_BIAS, bias->data_ptr());
  if (binary) exec.pass(kOther, epilogue.other.data_ptr());
  exec.run();
  if (plan->from_dst) {
    plan->from_dst.execute(stream, {{DNNL_ARG_FROM, dst}, {DNNL_ARG_TO, dst_user}});
    stream.wait();
  }
}

// Output positions no kernel tap reaches (transposed conv with output_padding > padding)
// hold the bias alone.
void fill_uncomputed(const Tensor& out, const Tensor* bias, const Geometry& g) {
  bool all_computed = true;
  for (std::size_t d = 0; d < g.computed_spatial.size(); ++d)
    all_computed = all_computed && g.computed_spatial[d] == g.out_sizes[2 + d];
  if (all_computed) return;
  Tensor f = out.to(DType::Float32);
  Tensor b = bias ? bias->to(DType::Float32) : Tensor();
  const int64_t n = g.out_sizes[0], c = g.out_sizes[1];
  const std::size_t spatial = g.computed_spatial.size();
  int64_t inner = 1;
  for (std::size_t d = 0; d < spatial; ++d) inner *= g.out_sizes[2 + d];
  float* p = f.data<float>();
  std::vector<int64_t> index(spatial);
  for (int64_t i = 0; i < inner; ++i) {
    int64_t rest = i;
    bool computed = true;
    for (std::size_t d = spatial; d-- > 0;) {
      index[d] = rest % g.out_sizes[2 + d];
      rest /= g.out_sizes[2 + d];
      computed = computed && index[d] < g.computed_spatial[d];
    }
    if (computed) continue;
    for (int64_t b0 = 0; b0 < n; ++b0)
      for (int64_t ch = 0; ch < c; ++ch) p[(b0 * c + ch) * inner + i] = bias ? b.data<float>()[ch] : 0.f;
  }
  Tensor(out).copy_(f);
}

// torch's size of a prepacked transposed-convolution weight is oneDNN's [O, I, *k] (grouped:
// [O, I/g, *k] as [g*O/g, I/g]); its convolution reads [I, O/g, *k]. A view with those sizes
// checks the shapes (the kernel reads the packed layout itself).
Tensor logical_weight(const Tensor& weight, const ConvolutionParams& p) {
  if (!p.transposed || !onednn::packed_layout(weight)) return weight;
  std::vector<int64_t> sizes(weight.sizes().begin(), weight.sizes().end());
  if (p.groups > 1) {
    PT2RUN_CHECK(sizes[0] % p.groups == 0, ShapeMismatch, "a prepacked transposed-convolution weight of ",
                 weight.describe(), " does not split into ", p.groups, " groups");
    const int64_t o = sizes[0] / p.groups;
    sizes[0] = sizes[1] * p.groups;
    sizes[1] = o;
  } else {
    std::swap(sizes[0], sizes[1]);
  }
  return Tensor(weight.storage(), sizes, contiguous_strides(sizes), 0, weight.dtype());
}

// With `into` (an accumulating epilogue's destination), the result is added to it in place
// when it has the result's layout and the kernel can take it; returns an undefined tensor
// otherwise, writing nothing.
Tensor convolve(const Tensor& input, const Tensor& given_weight, const Tensor* bias, const ConvolutionParams& given,
                const Epilogue& epilogue, bool pointwise, const Tensor* into = nullptr) {
  const ConvolutionParams params = detail::expand_convolution_params(given, input.dim());
  const Tensor weight = logical_weight(given_weight, params);
  const bool packed = onednn::packed_layout(weight) != nullptr;
  detail::validate_convolution(input, weight, bias, params);
  PT2RUN_CHECK(input.device().is_cpu(), DeviceMismatch,
               "convolution: the CPU backend got tensors on ", input.device().str());
  const Geometry g = geometry(input, weight, params);
  // torch's CPU convolution returns channels-last only in 2-d; a channels_last_3d input of a
  // 3-d convolution gives a contiguous result. Its fused oneDNN ops (pointwise) return
  // channels-last in 2-d and 3-d for channels-last operands, and always for prepacked weights.
  const bool channels_last = pointwise ? (packed || detail::convolution_channels_last(input, weight)) && input.dim() >= 4
                                       : detail::convolution_channels_last(input, weight) && input.dim() == 4;
  auto make_output = [&](DType dtype) {
    return channels_last ? Tensor::empty_strided(g.out_sizes, detail::channels_last_strides(g.out_sizes), dtype)
                         : Tensor::empty(g.out_sizes, dtype);
  };
  const bool partial = g.computed_spatial != std::vector<int64_t>(g.out_sizes.begin() + 2, g.out_sizes.end());
  if (into) {
    const std::vector<int64_t> strides =
        channels_last ? detail::channels_last_strides(g.out_sizes) : contiguous_strides(g.out_sizes);
    // Only oneDNN's fused sum writes in place; every other path computes a fresh result. A
    // target that is also the input (or weight) would be read after it was written.
    const bool in_place = !partial && input.dtype() != DType::Float64 && into->dtype() == input.dtype() &&
                          detail::sizes_of(*into) == g.out_sizes && std::ranges::equal(into->strides(), strides) &&
                          !detail::memory_may_overlap(*into, input) &&
                          !detail::memory_may_overlap(*into, given_weight) &&
                          !(bias && detail::memory_may_overlap(*into, *bias));
    if (!in_place) return Tensor();
    if (into->numel() == 0) return *into;
    Epilogue fused = epilogue;
    fused.accumulate = true;
    try {
      run(input, weight, bias, *into, params, g, onednn::float_type(input.dtype(), "convolution"), fused);
    } catch (const dnnl::error&) {
      // No kernel of this type on this CPU (oneDNN refuses before it writes).
      return Tensor();
    }
    return *into;
  }
  Tensor out = make_output(input.dtype());
  if (out.numel() == 0) return out;
  if (partial) std::fill_n(static_cast<std::byte*>(out.data_ptr()), out.nbytes(), std::byte{0});
  // The epilogue is fused unless positions no kernel tap reaches need the bias alone first.
  Epilogue fused = partial ? Epilogue{} : epilogue;
  if (epilogue.binary != Binary::None) {
    PT2RUN_CHECK(detail::sizes_of(epilogue.other) == g.out_sizes && epilogue.other.dtype() == out.dtype(), ShapeMismatch,
                 "the fused binary op's operand is ", epilogue.other.describe(), ", the convolution's result ",
                 out.describe());
    // Read in the result's own layout, as torch reads it (other.contiguous(memory_format)).
    if (!std::ranges::equal(fused.other.strides(), out.strides())) {
      fused.other = Tensor::empty_strided(g.out_sizes, std::vector<int64_t>(out.strides().begin(), out.strides().end()), out.dtype());
      fused.other.copy_(epilogue.other);
    }
  }
  if (input.dtype() == DType::Float64) {
    PT2RUN_CHECK(!packed, DTypeMismatch, "a prepacked weight cannot run a float64 convolution");
    // oneDNN has no float64 kernels.
    direct_convolution(input, weight, bias, params, out);
    apply_epilogue(out, epilogue);
    return out;
  }
  const memory::data_type type = onednn::float_type(input.dtype(), "convolution");
  bool done = false;
  if (type == memory::data_type::f32) {
    run(input, weight, bias, out, params, g, type, fused);
    done = true;
  } else {
    try {
      run(input, weight, bias, out, params, g, type, fused);
      done = true;
    } catch (const dnnl::error&) {
      // oneDNN has no kernel for this type on this CPU: compute in float32 below.
      PT2RUN_CHECK(!packed, NotImplemented, "this CPU's oneDNN has no ", dtype_name(input.dtype()),
                   " convolution for a prepacked weight (torch's needs AVX512-BF16/FP16 or AMX too)");
    }
  }
  if (!done) {
    Tensor out32 = make_output(DType::Float32);
    Tensor bias32 = bias ? bias->to(DType::Float32) : Tensor();
    if (partial) std::fill_n(static_cast<std::byte*>(out32.data_ptr()), out32.nbytes(), std::byte{0});
    run(input.to(DType::Float32), weight.to(DType::Float32), bias ? &bias32 : nullptr, out32,
        params, g, memory::data_type::f32, Epilogue{});
    out.copy_(out32);
    fused = Epilogue{};
  }
  if (partial) fill_uncomputed(out, bias, g);
  if (fused.empty()) apply_epilogue(out, epilogue);
  return out;
}

}  // namespace

Tensor convolution(const Tensor& input, const Tensor& weight, const Tensor* bias,
                   const ConvolutionParams& given) {
  PT2RUN_CHECK(!onednn::packed_layout(weight), InvalidArgument,
               "aten.convolution got a oneDNN-prepacked weight (only torch's mkldnn ops take those)");
  return convolve(input, weight, bias, given, Epilogue{}, false);
}

Tensor convolution_pointwise(const Tensor& input, const Tensor& weight, const Tensor* bias,
                             const ConvolutionParams& params, const Epilogue& epilogue) {
  return convolve(input, weight, bias, params, epilogue, true);
}

void convolution_pointwise_add_(const Tensor& target, const Tensor& input, const Tensor& weight, const Tensor* bias,
                                const ConvolutionParams& params, const Epilogue& epilogue) {
  PT2RUN_CHECK(epilogue.binary == Binary::None && !epilogue.accumulate, Internal,
               "the in-place residual convolution takes its activation only");
  if (convolve(input, weight, bias, params, epilogue, true, &target).defined()) return;
  Epilogue add = epilogue;
  add.binary = Binary::Add;
  add.other = target;
  Tensor(target).copy_(convolve(input, weight, bias, params, add, true));
}

}  // namespace pt2run::cpu
