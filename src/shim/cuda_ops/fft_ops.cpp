// aoti_torch_cuda__fft_c2c / _fft_r2c: cuFFT (backends/cuda/fft.h), so a CUDA package's FFTs
// give torch CUDA's numbers. Dtypes cuFFT is not used for here (half precision) run the CPU
// implementation on host copies (shim/host_staged.h).

#include "backends/cuda/fft.h"
#include "shim/aoti_shim_cuda.h"
#include "shim/host_staged.h"
#include "shim/shim_args.h"
#include "shim/shim_guard.h"

using pt2run::shim::call_on_host;
using pt2run::shim::guard;
using pt2run::shim::tensor;

namespace {

// cuFFT for the tensors it takes; `on_host` (the CPU function on host copies) for the rest.
template <class OnCufft, class OnHost>
AOTITorchError fft_twin(const char* function, AtenTensorHandle self, AtenTensorHandle* ret0, OnCufft on_cufft,
                        OnHost on_host) {
  bool native = false;
  const AOTITorchError checked = guard(function, [&] {
    const pt2run::Tensor& t = tensor(self);
    native = t.device().type == pt2run::DeviceType::CUDA && pt2run::cuda::fft_supports(t.dtype());
  });
  if (checked != kShimSuccess) return checked;
  if (!native) return on_host(function);
  return guard(function, [&] { *pt2run::shim::require_out(ret0, "ret0") = pt2run::shim::release_handle(on_cufft()); });
}

}  // namespace

AOTITorchError aoti_torch_cuda__fft_c2c(AtenTensorHandle self, const int64_t* dim, int64_t dim_len_,
                                        int64_t normalization, int32_t forward,
                                        AtenTensorHandle* ret0) {
  return fft_twin(
      __func__, self, ret0,
      [&] {
        return pt2run::cuda::fft_c2c(tensor(self), pt2run::shim::int_array(dim, dim_len_, "dim"), normalization,
                                     forward != 0);
      },
      [&](const char* function) {
        return call_on_host<1>(function, aoti_torch_cpu__fft_c2c, self, dim, dim_len_, normalization, forward,
                               ret0);
      });
}

AOTITorchError aoti_torch_cuda__fft_r2c(AtenTensorHandle self, const int64_t* dim, int64_t dim_len_,
                                        int64_t normalization, int32_t onesided,
                                        AtenTensorHandle* ret0) {
  return fft_twin(
      __func__, self, ret0,
      [&] {
        return pt2run::cuda::fft_r2c(tensor(self), pt2run::shim::int_array(dim, dim_len_, "dim"), normalization,
                                     onesided != 0);
      },
      [&](const char* function) {
        return call_on_host<1>(function, aoti_torch_cpu__fft_r2c, self, dim, dim_len_, normalization, onesided,
                               ret0);
      });
}
