#pragma once

// The optional generator argument of the random fallbacks (`Generator? generator`).
// AOTInductor passes the graph's value, which is None (a null handle) in every exportable graph:
// pt2run draws from its own generators, seeded by pt2run::manual_seed as torch.manual_seed
// seeds torch's.

#include "core/check.h"
#include "shim/shim_guard.h"

namespace pt2run::shim {

inline void require_default_generator(AtenGeneratorHandle* generator, const char* op) {
  PT2RUN_CHECK(generator == nullptr || *generator == nullptr, NotImplemented, op,
               " with an explicit torch.Generator: pt2run draws from its own generators "
               "(pt2run::manual_seed); export the model without passing a generator");
}

// Runs `call` (the overload without a generator) when the generator argument is None.
template <class F>
AOTITorchError on_default_generator(const char* function, AtenGeneratorHandle* generator, const char* op,
                                    F call) {
  const AOTITorchError rc = guard(function, [&] { require_default_generator(generator, op); });
  return rc != kShimSuccess ? rc : call();
}

}  // namespace pt2run::shim
