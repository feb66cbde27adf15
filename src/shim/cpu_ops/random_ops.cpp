// Random fallbacks: AOTInductor compiles most random ops into kernels seeded from draws of the
// process generator (randint_low_out); the rest draw values here, as torch's CPU kernels do.

#include <algorithm>

#include "backends/cpu/random.h"
#include "core/layout.h"
#include "shim/shim_args.h"
#include "shim/shim_guard.h"

using pt2run::Tensor;
using pt2run::shim::guard;
using pt2run::shim::int_array;
using pt2run::shim::release_handle;
using pt2run::shim::require_out;
using pt2run::shim::tensor;
namespace cpu = pt2run::cpu;

namespace {

void require_default_generator(AtenGeneratorHandle* generator, const char* op) {
  PT2RUN_CHECK(generator == nullptr || *generator == nullptr, NotImplemented, op,
               " with an explicit torch.Generator: pt2run has one process generator "
               "(pt2run::manual_seed); export the model without passing a generator");
}

}  // namespace

AOTITorchError aoti_torch_cpu_randint_low_out(AtenTensorHandle out, int64_t low, int64_t high,
                                              const int64_t* size, int64_t size_len_) {
  return guard(__func__, [&] {
    const Tensor& o = tensor(out);
    auto sizes = int_array(size, size_len_, "size");
    PT2RUN_CHECK(std::equal(sizes.begin(), sizes.end(), o.sizes().begin(), o.sizes().end()),
                 ShapeMismatch, "randint: out ", o.describe(), " does not have the requested size");
    cpu::randint(o, low, high);
  });
}

AOTITorchError aoti_torch_cpu_normal_functional(AtenTensorHandle self, double mean, double std,
                                                AtenGeneratorHandle* generator, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    require_default_generator(generator, "normal");
    Tensor out = pt2run::detail::empty_like(tensor(self), tensor(self).dtype());
    cpu::normal(out, mean, std);
    *require_out(ret0, "ret0") = release_handle(std::move(out));
  });
}
