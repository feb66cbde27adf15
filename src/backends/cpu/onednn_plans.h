#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pt2run/dtype.h"

namespace pt2run::cpu::onednn {

// The process's oneDNN CPU engine.
const dnnl::engine& engine();

// oneDNN's type for a floating-point tensor of pt2run's kernels (float32, float16, bfloat16).
// Throws Error(NotImplemented) for any other, naming `what` (the op) and the three it takes.
dnnl::memory::data_type float_type(DType dtype, std::string_view what);

struct Operands;

// The memory objects of a plan's idle executions (Execution below). Copying a plan copies none.
class OperandPool {
 public:
  OperandPool();
  OperandPool(const OperandPool&);
  OperandPool& operator=(const OperandPool&);
  ~OperandPool();
  std::unique_ptr<Operands> take();
  void give(std::unique_ptr<Operands> operands);

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<Operands>> idle_;
};

// What oneDNN chose for one primitive signature: the primitive, the layouts it wants, and
// the reorders between those and the caller's memory (empty where the layouts agree), made
// once with the plan instead of on every run.
struct Plan {
  dnnl::primitive primitive;
  dnnl::memory::desc src_fmt, wei_fmt, dst_fmt, scratch_fmt;
  dnnl::primitive to_src, to_wei, from_dst;
  // The layout of each operand in the caller's memory, by oneDNN argument id (DNNL_ARG_WEIGHTS:
  // the weight as given, set by weight_reorder). The plan's key fixes them, so they are made
  // once with the plan and a run only points memory objects at its data.
  std::vector<std::pair<int, dnnl::memory::desc>> user;
  const dnnl::memory::desc& user_desc(int arg) const;
  // Set where to_wei goes between two blocked layouts: to_wei then writes wei_via (the plain
  // layout) and to_wei_then reads it (weight_reorder below says why).
  dnnl::memory::desc wei_via;
  dnnl::primitive to_wei_then;
  // oneDNN's reference implementation: correct but tens of times slower than its kernels.
  bool reference = false;
  // Names wei_fmt for constant_weights.h, so that plans choosing one layout share one copy.
  std::string wei_layout;
  // Memory objects over the caller's operands, kept for later runs (Execution below).
  mutable OperandPool pool;
};

// Creating a primitive descriptor costs tens of microseconds (oneDNN tries its kernels in
// turn); a model runs the same few signatures every run, so plans are kept per key (the
// caller's flattening of everything the primitive depends on). `make` may throw (no kernel);
// nothing is kept then. Bounded: a stream of ever new shapes empties it instead of growing it.
// Thread-safe; plans are made one at a time (oneDNN's own cache then never has a thread wait
// for another's primitive) and executed concurrently with user-managed scratchpads.
std::shared_ptr<const Plan> plan(const std::vector<int64_t>& key, const std::function<Plan()>& make);

// Appends a list to a plan key, with its length so that lists cannot run into each other.
void append_key(std::vector<int64_t>& key, std::span<const int64_t> values);

// Records `from` as the plan's user weight layout (DNNL_ARG_WEIGHTS) and sets plan.to_wei (and the step through the plain layout)
// to re-lay a weight out from it into plan.wei_fmt; no reorder where they agree. Between two blocked layouts it goes through the
// plain one: oneDNN 3.2 has fast reorders between a blocked and a plain layout but only its
// generic one between two blockings (25x slower on a ResNet-50 weight), the case of a
// prepacked weight whose blocking torch's oneDNN chose differently.
void weight_reorder(Plan& plan, const dnnl::memory::desc& from);
// Runs plan's weight re-layout from `from` into `to` (plan.wei_fmt) on stream() and waits.
void reorder_weight(const Plan& plan, dnnl::memory from, dnnl::memory to);

// The calling thread's stream on engine() (in-order; executions on it are waited for).
dnnl::stream& stream();

// One run of a plan's primitive. Its memory objects over the caller's buffers are made by a
// plan's first runs and reused after (pointed at each run's data): creating one costs about
// 0.8 us, as much as the kernel of a small model's convolution, and a run has four or five.
// The arguments go to oneDNN as an array. Each execution takes its own set from the plan, so
// concurrent runs of one plan never share one; not itself shared between threads.
class Execution {
 public:
  explicit Execution(const Plan& plan);
  ~Execution();
  Execution(const Execution&) = delete;
  Execution& operator=(const Execution&) = delete;

  // The memory of operand `arg` (in plan.user) over `data`, for a reorder or for pass() (a
  // handle to the object the execution keeps).
  dnnl::memory bind(int arg, const void* data);
  // Hands `memory` to the primitive as argument `arg` (valid until run()).
  void pass(int arg, const dnnl::memory& memory);
  // bind, then pass under the same id.
  void pass(int arg, const void* data) { pass(arg, bind(arg, data)); }
  // Runs plan.primitive on stream() with the passed arguments and the calling thread's
  // scratchpad (oneDNN's own is global unless built for concurrent execution), and waits.
  // Throws dnnl::error.
  void run();

 private:
  const Plan& plan_;
  std::unique_ptr<Operands> operands_;
};

}  // namespace pt2run::cpu::onednn
