#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

namespace pt2run::detail {

// Which memory holds a model's constants, so kernels can keep a copy of a constant weight in
// their own layout (a oneDNN blocked format, say) instead of re-laying it out on every run.
//
// The runner declares each model's active constants (declare_constants) after load and after
// every change to them: update, fold, swap, free. Each declaration drops every packed copy of
// that owner, so a copy never outlives the data it was made from. Memory not declared is never
// cached: a kernel given it packs per call, as before.
//
// Thread safety: all functions may be called from any thread. A packed copy handed out stays
// valid while the caller holds it, even if its owner redeclares meanwhile.

struct ConstantRange {
  const void* data = nullptr;
  std::size_t nbytes = 0;
};

// Replaces `owner`'s constants (owner: any address unique to one model instance).
void declare_constants(const void* owner, std::span<const ConstantRange> ranges);
// Off, declarations declare nothing (public switch: pt2run::set_packed_weights).
void set_packing_enabled(bool enabled);

// Forgets `owner`'s constants and drops its packed copies (at unload).
void forget_constants(const void* owner);

// Whether [data, data + nbytes) lies in one declared constant (kernels take their packed path
// only then).
bool is_constant(const void* data, std::size_t nbytes);

// A packed copy of the constant at `data` for the layout `layout_key` names (what the kernel
// needs to tell two layouts of the same data apart). Calls `pack` once per (data, layout) while
// the constant stays declared and returns its result (with its size in bytes); returns nullptr
// when `data` is not declared constant memory, so the caller packs for this call only.
// `pack` may throw; nothing is cached then.
struct Packed {
  std::shared_ptr<void> value;
  std::size_t nbytes = 0;
};
std::shared_ptr<void> packed_constant(const void* data, std::size_t nbytes,
                                      const std::string& layout_key,
                                      const std::function<Packed()>& pack);

// What the packed copies cost now: bytes and how many (inspect and bench report them).
struct PackedStats {
  std::size_t bytes = 0;
  std::size_t copies = 0;
};
PackedStats packed_constant_stats();

}  // namespace pt2run::detail
