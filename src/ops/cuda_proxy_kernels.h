#pragma once

namespace pt2run::cuda {

// The CUDA kernels of built-in proxy-executor ops (ATen ops without a C shim), registered with
// detail::register_device_kernel when libpt2run_cuda loads: aten::_fft_c2r on cuFFT.
void register_proxy_kernels();

}  // namespace pt2run::cuda
