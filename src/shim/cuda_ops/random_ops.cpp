// The random fallbacks on CUDA, drawing what torch's CUDA kernels draw (backends/cuda/random.h):
// the factories (rand, randn, randint and their _like and _generator forms) make a CUDA tensor
// and fill it; uniform, normal_functional and exponential fill a new tensor shaped like self;
// bernoulli_ fills self; randint_low_out (AOTInductor's seeds for its own random kernels) fills
// out. The generator argument must be None: pt2run has one generator per device, seeded by
// pt2run::manual_seed.

#include <algorithm>
#include <vector>

#include "backends/cuda/random.h"
#include "backends/cuda/streams.h"
#include "core/layout.h"
#include "shim/aoti_shim_cuda.h"
#include "shim/generator_arg.h"
#include "shim/shim_args.h"
#include "shim/shim_guard.h"

using pt2run::DType;
using pt2run::Tensor;
using pt2run::shim::guard;
using pt2run::shim::on_default_generator;
using pt2run::shim::require_default_generator;
using pt2run::shim::int_array;
using pt2run::shim::release_handle;
using pt2run::shim::require_out;
using pt2run::shim::tensor;
namespace cuda = pt2run::cuda;

namespace {

// The CUDA device a factory names (the current one without an index).
pt2run::Device cuda_device(const int32_t* layout, const int32_t* device, int32_t device_index, const char* op) {
  pt2run::Device d = pt2run::shim::factory_device(layout, device, device_index,
                                                  pt2run::Device::cuda(device_index), op);
  PT2RUN_CHECK(d.type == pt2run::DeviceType::CUDA, DeviceMismatch, op,
               ": the CUDA fallback makes CUDA tensors, asked for ", d.str());
  if (d.index < 0) d.index = cuda::current_device();
  return d;
}

Tensor factory_output(const int64_t* size, int64_t size_len, int32_t* dtype, int32_t* layout, int32_t* device,
                      int32_t device_index, DType default_dtype, const char* op) {
  const std::vector<int64_t> sizes = int_array(size, size_len, "size");
  for (int64_t s : sizes) PT2RUN_CHECK(s >= 0, InvalidArgument, op, ": negative size ", s);
  return Tensor::empty(sizes, dtype ? pt2run::shim::dtype_arg(*dtype) : default_dtype,
                       cuda_device(layout, device, device_index, op));
}

// *_like: self's shape and dense layout (memory_format 0 contiguous, 1 preserve, 2 channels-last).
Tensor like_output(const Tensor& self, int32_t* dtype, int32_t* layout, int32_t* device, int32_t device_index,
                   int32_t* memory_format, const char* op) {
  const pt2run::Device d = device ? cuda_device(layout, device, device_index, op) : self.device();
  PT2RUN_CHECK(d.type == pt2run::DeviceType::CUDA, DeviceMismatch, op, ": the CUDA fallback makes CUDA tensors");
  const DType type = dtype ? pt2run::shim::dtype_arg(*dtype) : self.dtype();
  const auto sizes = pt2run::detail::sizes_of(self);
  if (memory_format && *memory_format == 0) return Tensor::empty(sizes, type, d);
  if (memory_format && *memory_format == 2)
    return Tensor::empty_strided(sizes, pt2run::detail::channels_last_strides(sizes), type, d);
  Tensor like = pt2run::detail::empty_like(self, type);
  return like.device() == d ? like : Tensor::empty_strided(sizes, {like.strides().begin(), like.strides().end()}, type, d);
}

// Fills a new tensor and hands it to the caller.
template <class Fill>
void make(AtenTensorHandle* ret0, Tensor out, Fill&& fill) {
  require_out(ret0, "ret0");
  fill(out);
  *ret0 = release_handle(std::move(out));
}

}  // namespace

AOTITorchError aoti_torch_cuda_uniform(AtenTensorHandle self, double from, double to, AtenGeneratorHandle* generator,
                                       AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    require_default_generator(generator, "uniform");
    make(ret0, pt2run::detail::empty_like(tensor(self), tensor(self).dtype()),
         [&](const Tensor& o) { cuda::uniform(o, from, to); });
  });
}

AOTITorchError aoti_torch_cuda_normal_functional(AtenTensorHandle self, double mean, double std,
                                                 AtenGeneratorHandle* generator, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    require_default_generator(generator, "normal");
    make(ret0, pt2run::detail::empty_like(tensor(self), tensor(self).dtype()),
         [&](const Tensor& o) { cuda::normal(o, mean, std); });
  });
}

AOTITorchError aoti_torch_cuda_exponential(AtenTensorHandle self, double lambd, AtenGeneratorHandle* generator,
                                           AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    require_default_generator(generator, "exponential");
    make(ret0, pt2run::detail::empty_like(tensor(self), tensor(self).dtype()),
         [&](const Tensor& o) { cuda::exponential(o, lambd); });
  });
}

AOTITorchError aoti_torch_cuda_bernoulli__float(AtenTensorHandle self, double p, AtenGeneratorHandle* generator) {
  return guard(__func__, [&] {
    require_default_generator(generator, "bernoulli_");
    cuda::bernoulli(tensor(self), p);
  });
}

AOTITorchError aoti_torch_cuda_randint_low_out(AtenTensorHandle out, int64_t low, int64_t high, const int64_t* size,
                                               int64_t size_len_) {
  return guard(__func__, [&] {
    const Tensor& o = tensor(out);
    const auto sizes = int_array(size, size_len_, "size");
    PT2RUN_CHECK(std::equal(sizes.begin(), sizes.end(), o.sizes().begin(), o.sizes().end()), ShapeMismatch,
                 "randint: out ", o.describe(), " does not have the requested size");
    cuda::randint(o, low, high);
  });
}

AOTITorchError aoti_torch_cuda_rand(const int64_t* size, int64_t size_len_, int32_t* dtype, int32_t* layout,
                                    int32_t* device, int32_t device_index_, int32_t* /*pin_memory*/,
                                    AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    make(ret0, factory_output(size, size_len_, dtype, layout, device, device_index_, DType::Float32, "rand"),
         [](const Tensor& o) { cuda::uniform(o, 0, 1); });
  });
}

AOTITorchError aoti_torch_cuda_randn(const int64_t* size, int64_t size_len_, int32_t* dtype, int32_t* layout,
                                     int32_t* device, int32_t device_index_, int32_t* /*pin_memory*/,
                                     AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    make(ret0, factory_output(size, size_len_, dtype, layout, device, device_index_, DType::Float32, "randn"),
         [](const Tensor& o) { cuda::normal(o, 0, 1); });
  });
}

AOTITorchError aoti_torch_cuda_randint_low(int64_t low, int64_t high, const int64_t* size, int64_t size_len_,
                                           int32_t* dtype, int32_t* layout, int32_t* device, int32_t device_index_,
                                           int32_t* /*pin_memory*/, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    make(ret0,
         factory_output(size, size_len_, dtype, layout, device, device_index_, DType::Int64, "randint"),
         [&](const Tensor& o) { cuda::randint(o, low, high); });
  });
}

AOTITorchError aoti_torch_cuda_randint(int64_t high, const int64_t* size, int64_t size_len_, int32_t* dtype,
                                       int32_t* layout, int32_t* device, int32_t device_index_, int32_t* pin_memory,
                                       AtenTensorHandle* ret0) {
  return aoti_torch_cuda_randint_low(0, high, size, size_len_, dtype, layout, device, device_index_, pin_memory, ret0);
}

AOTITorchError aoti_torch_cuda_rand_like(AtenTensorHandle self, int32_t* dtype, int32_t* layout, int32_t* device,
                                         int32_t device_index_, int32_t* /*pin_memory*/, int32_t* memory_format,
                                         AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    make(ret0, like_output(tensor(self), dtype, layout, device, device_index_, memory_format, "rand_like"),
         [](const Tensor& o) { cuda::uniform(o, 0, 1); });
  });
}

AOTITorchError aoti_torch_cuda_randn_like(AtenTensorHandle self, int32_t* dtype, int32_t* layout, int32_t* device,
                                          int32_t device_index_, int32_t* /*pin_memory*/, int32_t* memory_format,
                                          AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    make(ret0, like_output(tensor(self), dtype, layout, device, device_index_, memory_format, "randn_like"),
         [](const Tensor& o) { cuda::normal(o, 0, 1); });
  });
}

AOTITorchError aoti_torch_cuda_randint_like_low_dtype(AtenTensorHandle self, int64_t low, int64_t high, int32_t* dtype,
                                                      int32_t* layout, int32_t* device, int32_t device_index_,
                                                      int32_t* /*pin_memory*/, int32_t* memory_format,
                                                      AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    make(ret0,
         like_output(tensor(self), dtype, layout, device, device_index_, memory_format, "randint_like"),
         [&](const Tensor& o) { cuda::randint(o, low, high); });
  });
}

AOTITorchError aoti_torch_cuda_randint_like(AtenTensorHandle self, int64_t high, int32_t* dtype, int32_t* layout,
                                            int32_t* device, int32_t device_index_, int32_t* pin_memory,
                                            int32_t* memory_format, AtenTensorHandle* ret0) {
  return aoti_torch_cuda_randint_like_low_dtype(self, 0, high, dtype, layout, device, device_index_, pin_memory,
                                                memory_format, ret0);
}

// The *_generator overloads: exportable graphs pass None (a null handle).

AOTITorchError aoti_torch_cuda_rand_generator(const int64_t* size, int64_t size_len_, AtenGeneratorHandle* generator,
                                              int32_t* dtype, int32_t* layout, int32_t* device, int32_t device_index_,
                                              int32_t* pin_memory, AtenTensorHandle* ret0) {
  return on_default_generator(__func__, generator, "rand", [&] {
    return aoti_torch_cuda_rand(size, size_len_, dtype, layout, device, device_index_, pin_memory, ret0);
  });
}

AOTITorchError aoti_torch_cuda_randn_generator(const int64_t* size, int64_t size_len_, AtenGeneratorHandle* generator,
                                               int32_t* dtype, int32_t* layout, int32_t* device, int32_t device_index_,
                                               int32_t* pin_memory, AtenTensorHandle* ret0) {
  return on_default_generator(__func__, generator, "randn", [&] {
    return aoti_torch_cuda_randn(size, size_len_, dtype, layout, device, device_index_, pin_memory, ret0);
  });
}

AOTITorchError aoti_torch_cuda_randint_generator(int64_t high, const int64_t* size, int64_t size_len_,
                                                 AtenGeneratorHandle* generator, int32_t* dtype, int32_t* layout,
                                                 int32_t* device, int32_t device_index_, int32_t* pin_memory,
                                                 AtenTensorHandle* ret0) {
  return on_default_generator(__func__, generator, "randint", [&] {
    return aoti_torch_cuda_randint(high, size, size_len_, dtype, layout, device, device_index_, pin_memory, ret0);
  });
}

AOTITorchError aoti_torch_cuda_rand_like_generator(AtenTensorHandle self, AtenGeneratorHandle* generator, int32_t* dtype,
                                                   int32_t* layout, int32_t* device, int32_t device_index_,
                                                   int32_t* pin_memory, int32_t* memory_format, AtenTensorHandle* ret0) {
  return on_default_generator(__func__, generator, "rand_like", [&] {
    return aoti_torch_cuda_rand_like(self, dtype, layout, device, device_index_, pin_memory, memory_format, ret0);
  });
}

AOTITorchError aoti_torch_cuda_randn_like_generator(AtenTensorHandle self, AtenGeneratorHandle* generator,
                                                    int32_t* dtype, int32_t* layout, int32_t* device,
                                                    int32_t device_index_, int32_t* pin_memory, int32_t* memory_format,
                                                    AtenTensorHandle* ret0) {
  return on_default_generator(__func__, generator, "randn_like", [&] {
    return aoti_torch_cuda_randn_like(self, dtype, layout, device, device_index_, pin_memory, memory_format, ret0);
  });
}
