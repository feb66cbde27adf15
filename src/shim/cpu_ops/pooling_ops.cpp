// Pooling fallbacks: the forms AOTInductor does not lower to its own kernels (indices returned,
// adaptive windows that do not divide evenly, 3-d, fractional, unpooling).

#include "backends/cpu/pooling.h"
#include "shim/shim_args.h"
#include "shim/shim_guard.h"

using pt2run::Tensor;
using pt2run::shim::guard;
using pt2run::shim::int_array;
using pt2run::shim::put_result;
using pt2run::shim::tensor;
namespace cpu = pt2run::cpu;

namespace {

cpu::PoolWindow window(int64_t dims, const char* op, const int64_t* kernel, int64_t kernel_len, const int64_t* stride,
                       int64_t stride_len, const int64_t* padding, int64_t padding_len, const int64_t* dilation,
                       int64_t dilation_len, int32_t ceil_mode) {
  cpu::PoolWindow w;
  w.kernel = cpu::pool_param(int_array(kernel, kernel_len, "kernel_size"), dims, "kernel_size", op);
  w.stride = cpu::pool_param(int_array(stride, stride_len, "stride"), dims, "stride", op, w.kernel);
  w.padding = cpu::pool_param(int_array(padding, padding_len, "padding"), dims, "padding", op);
  if (dilation != nullptr || dilation_len > 0)
    w.dilation = cpu::pool_param(int_array(dilation, dilation_len, "dilation"), dims, "dilation", op);
  w.ceil_mode = ceil_mode != 0;
  return w;
}

void put_pair(cpu::PoolResult r, AtenTensorHandle* ret0, AtenTensorHandle* ret1) {
  put_result(std::move(r.values), ret0);
  put_result(std::move(r.indices), ret1);
}

}  // namespace

#define PT2RUN_MAX_POOL(DIMS)                                                                                     \
  AOTITorchError aoti_torch_cpu_max_pool##DIMS##d_with_indices(                                                   \
      AtenTensorHandle self, const int64_t* kernel_size, int64_t kernel_size_len_, const int64_t* stride,        \
      int64_t stride_len_, const int64_t* padding, int64_t padding_len_, const int64_t* dilation,               \
      int64_t dilation_len_, int32_t ceil_mode, AtenTensorHandle* ret0, AtenTensorHandle* ret1) {               \
    return guard(__func__, [&] {                                                                                  \
      const auto w = window(DIMS, "max_pool" #DIMS "d", kernel_size, kernel_size_len_, stride, stride_len_,      \
                            padding, padding_len_, dilation, dilation_len_, ceil_mode);                           \
      put_pair(cpu::max_pool(tensor(self), DIMS, w), ret0, ret1);                                                 \
    });                                                                                                           \
  }                                                                                                               \
  AOTITorchError aoti_torch_cpu_avg_pool##DIMS##d(                                                                \
      AtenTensorHandle self, const int64_t* kernel_size, int64_t kernel_size_len_, const int64_t* stride,        \
      int64_t stride_len_, const int64_t* padding, int64_t padding_len_, int32_t ceil_mode,                     \
      int32_t count_include_pad, int64_t* divisor_override, AtenTensorHandle* ret0) {                            \
    return guard(__func__, [&] {                                                                                  \
      const auto w = window(DIMS, "avg_pool" #DIMS "d", kernel_size, kernel_size_len_, stride, stride_len_,      \
                            padding, padding_len_, nullptr, 0, ceil_mode);                                        \
      put_result(cpu::avg_pool(tensor(self), DIMS, w, count_include_pad != 0, divisor_override), ret0);          \
    });                                                                                                           \
  }                                                                                                               \
  AOTITorchError aoti_torch_cpu_adaptive_max_pool##DIMS##d(AtenTensorHandle self, const int64_t* output_size,    \
                                                           int64_t output_size_len_, AtenTensorHandle* ret0,     \
                                                           AtenTensorHandle* ret1) {                             \
    return guard(__func__, [&] {                                                                                  \
      put_pair(cpu::adaptive_max_pool(tensor(self), int_array(output_size, output_size_len_, "output_size")),    \
               ret0, ret1);                                                                                       \
    });                                                                                                           \
  }                                                                                                               \
  AOTITorchError aoti_torch_cpu__adaptive_avg_pool##DIMS##d(AtenTensorHandle self, const int64_t* output_size,   \
                                                            int64_t output_size_len_, AtenTensorHandle* ret0) {  \
    return guard(__func__, [&] {                                                                                  \
      put_result(cpu::adaptive_avg_pool(tensor(self), int_array(output_size, output_size_len_, "output_size")),  \
                 ret0);                                                                                           \
    });                                                                                                           \
  }                                                                                                               \
  AOTITorchError aoti_torch_cpu_fractional_max_pool##DIMS##d(                                                     \
      AtenTensorHandle self, const int64_t* kernel_size, int64_t kernel_size_len_, const int64_t* output_size,   \
      int64_t output_size_len_, AtenTensorHandle random_samples, AtenTensorHandle* ret0, AtenTensorHandle* ret1) { \
    return guard(__func__, [&] {                                                                                  \
      put_pair(cpu::fractional_max_pool(tensor(self), int_array(kernel_size, kernel_size_len_, "kernel_size"),   \
                                        int_array(output_size, output_size_len_, "output_size"),                 \
                                        tensor(random_samples)),                                                 \
               ret0, ret1);                                                                                       \
    });                                                                                                           \
  }

PT2RUN_MAX_POOL(2)
PT2RUN_MAX_POOL(3)
#undef PT2RUN_MAX_POOL

AOTITorchError aoti_torch_cpu_max_unpool2d(AtenTensorHandle self, AtenTensorHandle indices, const int64_t* output_size,
                                           int64_t output_size_len_, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    put_result(cpu::max_unpool(tensor(self), tensor(indices), int_array(output_size, output_size_len_, "output_size")),
               ret0);
  });
}

AOTITorchError aoti_torch_cpu_max_unpool3d(AtenTensorHandle self, AtenTensorHandle indices, const int64_t* output_size,
                                           int64_t output_size_len_, const int64_t* stride, int64_t stride_len_,
                                           const int64_t* padding, int64_t padding_len_, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    // stride and padding only describe the pooling that made the indices; torch checks their
    // length and does not use them either.
    PT2RUN_CHECK(stride_len_ == 3 && padding_len_ == 3, InvalidArgument,
                 "max_unpool3d: stride and padding need 3 entries each");
    (void)stride;
    (void)padding;
    put_result(cpu::max_unpool(tensor(self), tensor(indices), int_array(output_size, output_size_len_, "output_size")),
               ret0);
  });
}
