#include "backends/cpu/onednn_plans.h"

#include <mutex>
#include <unordered_map>

#include "core/check.h"

namespace pt2run::cpu::onednn {
namespace {

struct KeyHash {
  std::size_t operator()(const std::vector<int64_t>& v) const noexcept {
    std::size_t h = v.size();
    for (int64_t x : v) h = h * 1000003u ^ static_cast<std::size_t>(x);
    return h;
  }
};

struct Plans {
  static constexpr std::size_t kMax = 4096;
  std::mutex mutex;
  std::unordered_map<std::vector<int64_t>, std::shared_ptr<const Plan>, KeyHash> map;
};

Plans& plans() {
  static Plans* p = new Plans;  // never destroyed: runs may outlive static teardown
  return *p;
}

}  // namespace

const dnnl::engine& engine() {
  static const dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

std::shared_ptr<const Plan> plan(const std::vector<int64_t>& key, const std::function<Plan()>& make) {
  auto& p = plans();
  {
    std::lock_guard lock(p.mutex);
    auto it = p.map.find(key);
    if (it != p.map.end()) return it->second;
  }
  std::shared_ptr<const Plan> made;
  {
    static std::mutex creating;
    std::lock_guard one_at_a_time(creating);
    made = std::make_shared<const Plan>(make());
  }
  std::lock_guard lock(p.mutex);
  if (p.map.size() >= Plans::kMax) p.map.clear();
  return p.map.try_emplace(key, made).first->second;
}

void append_key(std::vector<int64_t>& key, std::span<const int64_t> values) {
  key.push_back(static_cast<int64_t>(values.size()));
  key.insert(key.end(), values.begin(), values.end());
}

dnnl::memory::data_type float_type(DType dtype, std::string_view what) {
  switch (dtype) {
    case DType::Float32: return dnnl::memory::data_type::f32;
    case DType::Float16: return dnnl::memory::data_type::f16;
    case DType::BFloat16: return dnnl::memory::data_type::bf16;
    default:
      detail::fail(ErrorCode::NotImplemented, what, " in ", dtype_name(dtype),
                   " is not supported by the CPU backend (float32, float16 and bfloat16 are, as in torch)");
  }
}

void weight_reorder(Plan& plan, const dnnl::memory::desc& from) {
  plan.wei_user = from;
  const dnnl::memory::desc& to = plan.wei_fmt;
  if (from == to) return;
  auto blocked = [](const dnnl::memory::desc& md) {
    return md.get_format_kind() == dnnl::memory::format_kind::blocked && md.get_inner_nblks() > 0;
  };
  auto reorder = [](const dnnl::memory::desc& a, const dnnl::memory::desc& b) {
    return dnnl::reorder(dnnl::reorder::primitive_desc(engine(), a, engine(), b));
  };
  if (!blocked(from) || !blocked(to)) {
    plan.to_wei = reorder(from, to);
    return;
  }
  const dnnl::memory::dims dims = from.get_dims();
  dnnl::memory::dims strides(dims.size(), 1);
  for (std::size_t d = dims.size(); d-- > 1;) strides[d - 1] = strides[d] * dims[d];
  plan.wei_via = dnnl::memory::desc(dims, from.get_data_type(), strides);
  plan.to_wei = reorder(from, plan.wei_via);
  plan.to_wei_then = reorder(plan.wei_via, to);
}

void reorder_weight(const Plan& plan, dnnl::memory from, dnnl::memory to) {
  dnnl::stream& s = stream();
  if (plan.to_wei_then) {
    dnnl::memory via(plan.wei_via, engine());
    plan.to_wei.execute(s, {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, via}});
    plan.to_wei_then.execute(s, {{DNNL_ARG_FROM, via}, {DNNL_ARG_TO, to}});
  } else {
    plan.to_wei.execute(s, {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}});
  }
  s.wait();
}

dnnl::stream& stream() {
  thread_local dnnl::stream s(engine());
  return s;
}

dnnl::memory scratchpad(const Plan& plan) {
  thread_local std::vector<std::byte> buffer;
  const std::size_t bytes = plan.scratch_fmt.get_size();
  if (buffer.size() < bytes) buffer.resize(bytes);
  return dnnl::memory(plan.scratch_fmt, engine(), buffer.data());
}

}  // namespace pt2run::cpu::onednn
