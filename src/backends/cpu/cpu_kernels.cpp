// The public report of which CPU kernels run (pt2run/cpu.h).

#include <cblas.h>

#include "backends/cpu/blas.h"
#include "core/constant_weights.h"
#include "pt2run/cpu.h"

namespace pt2run {

CpuKernels cpu_kernels() {
  const std::string onednn = cpu::blas::kernel_name();
  // openblas_get_corename: the kernel set OpenBLAS picked (or OPENBLAS_CORETYPE forced).
  return {onednn, onednn, std::string("openblas ") + openblas_get_corename()};
}

PackedWeightStats packed_weight_stats() {
  const detail::PackedStats s = detail::packed_constant_stats();
  return {s.bytes, s.copies};
}

void set_packed_weights(bool enabled) { detail::set_packing_enabled(enabled); }

}  // namespace pt2run
