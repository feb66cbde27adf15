#include "ops/cuda_proxy_kernels.h"

#include "backends/cuda/fft.h"
#include "core/check.h"
#include "ops/op_registry.h"

namespace pt2run::cuda {

void register_proxy_kernels() {
  // torch.fft.irfft and friends (no C shim for _fft_c2r): cuFFT, for complex64 and complex128
  // (torch's CUDA complex32 FFT wants powers of two; pt2run refuses it by name). Not registered
  // when a user's own aten::_fft_c2r replaced the built-in one.
  (void)detail::register_device_kernel("aten::_fft_c2r", DeviceType::CUDA, [](const OpArgs& a) {
    const Tensor& self = a.tensor("self");
    PT2RUN_CHECK(fft_supports(self.dtype()), NotImplemented, "aten::_fft_c2r on CUDA takes complex64 or complex128, got ",
                 self.describe());
    return std::vector<Tensor>{
        fft_c2r(self, a.int_list("dim"), a.int_value("normalization"), a.int_value("last_dim_size"))};
  });
}

}  // namespace pt2run::cuda
