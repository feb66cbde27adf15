#pragma once

// Prepacked weights (core/packed_layout.h) as oneDNN memory: torch's oneDNN wrote them, and
// this build's oneDNN reads them in place when it names the same layout.

#include <oneapi/dnnl/dnnl.hpp>

#include "core/packed_layout.h"
#include "pt2run/tensor.h"

namespace pt2run::cpu::onednn {

// The descriptor of `layout` in this oneDNN: the format tag whose blocking is the one
// described (oneDNN 3.2 has no call that takes a blocking as such). Kept per layout; thread-safe.
// Throws Error(NotImplemented) when no tag of this oneDNN describes it.
dnnl::memory::desc packed_desc(const detail::PackedLayout& layout);

// The packed layout of `t`'s storage, or nullptr for an ordinary strided tensor.
const detail::PackedLayout* packed_layout(const Tensor& t);

// Copies `from` into `to` (same dims and type, any layouts) and waits. Between two blocked
// layouts it goes through the plain one: oneDNN 3.2 has a fast reorder between a blocked and
// a plain layout but only its generic one between two blockings (25x slower on a ResNet-50
// weight), and a prepacked weight is re-laid out that way once when this oneDNN prefers
// another blocking than torch's did.
void relayout(dnnl::memory from, dnnl::memory to, dnnl::stream& stream);

}  // namespace pt2run::cpu::onednn
