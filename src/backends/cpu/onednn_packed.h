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


}  // namespace pt2run::cpu::onednn
