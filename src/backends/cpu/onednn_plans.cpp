#include "backends/cpu/onednn_plans.h"

#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
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

// One execution's memory objects, by argument id, and the argument array handed to oneDNN.
struct Operands {
  std::vector<std::pair<int, dnnl::memory>> bound;
  dnnl::memory scratch;
  std::vector<dnnl_exec_arg_t> args;
};

OperandPool::OperandPool() = default;
OperandPool::OperandPool(const OperandPool&) {}
OperandPool& OperandPool::operator=(const OperandPool&) { return *this; }
OperandPool::~OperandPool() = default;

std::unique_ptr<Operands> OperandPool::take() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto operands = std::move(idle_.back());
      idle_.pop_back();
      return operands;
    }
  }
  return std::make_unique<Operands>();
}

void OperandPool::give(std::unique_ptr<Operands> operands) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(operands));
}

const dnnl::memory::desc& Plan::user_desc(int arg) const {
  for (const auto& [id, md] : user)
    if (id == arg) return md;
  detail::fail(ErrorCode::Internal, "a oneDNN plan has no layout for its operand ", arg);
}

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
  plan.user.emplace_back(DNNL_ARG_WEIGHTS, from);
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

Execution::Execution(const Plan& plan) : plan_(plan), operands_(plan.pool.take()) { operands_->args.clear(); }

Execution::~Execution() {
  // Memory objects keep the last run's pointers; the next run sets its own before any use.
  plan_.pool.give(std::move(operands_));
}

dnnl::memory Execution::bind(int arg, const void* data) {
  void* handle = const_cast<void*>(data);
  auto& bound = operands_->bound;
  auto it = std::find_if(bound.begin(), bound.end(), [&](const auto& b) { return b.first == arg; });
  if (it == bound.end()) return bound.emplace_back(arg, dnnl::memory(plan_.user_desc(arg), engine(), handle)).second;
  it->second.set_data_handle(handle);
  return it->second;
}

void Execution::pass(int arg, const dnnl::memory& memory) { operands_->args.push_back({arg, memory.get()}); }

void Execution::run() {
  // The calling thread's scratchpad: a plan's executions on other threads never share it.
  thread_local std::vector<std::byte> buffer;
  const std::size_t bytes = plan_.scratch_fmt.get_size();
  if (buffer.size() < bytes) buffer.resize(bytes);
  if (!operands_->scratch) {
    operands_->scratch = dnnl::memory(plan_.scratch_fmt, engine(), buffer.data());
  } else {
    operands_->scratch.set_data_handle(buffer.data());
  }
  pass(DNNL_ARG_SCRATCHPAD, operands_->scratch);
  auto& args = operands_->args;
  dnnl::error::wrap_c_api(dnnl_primitive_execute(plan_.primitive.get(), stream().get(), static_cast<int>(args.size()),
                                                 args.data()),
                          "could not execute a primitive");
  args.clear();
  stream().wait();
}

}  // namespace pt2run::cpu::onednn
