// Random fallbacks: AOTInductor compiles most random ops into kernels seeded from draws of the
// process generator (randint_low_out); the rest draw values here, as torch's CPU kernels do.

#include <algorithm>

#include "backends/cpu/random.h"
#include "core/layout.h"
#include "shim/generator_arg.h"
#include "shim/shim_args.h"
#include "shim/shim_guard.h"

using pt2run::Tensor;
using pt2run::shim::guard;
using pt2run::shim::on_default_generator;
using pt2run::shim::require_default_generator;
using pt2run::shim::int_array;
using pt2run::shim::release_handle;
using pt2run::shim::require_out;
using pt2run::shim::tensor;
namespace cpu = pt2run::cpu;

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

namespace {

// The new tensor a factory function (rand, randn, randint, randperm) returns: CPU, strided,
// contiguous, `dtype` or the default.
Tensor factory_output(std::vector<int64_t> sizes, int32_t* dtype, int32_t* layout, int32_t* device,
                      int32_t device_index, pt2run::DType default_dtype, const char* op) {
  pt2run::shim::require_cpu_strided(layout, device, device_index, op);
  for (int64_t s : sizes) PT2RUN_CHECK(s >= 0, InvalidArgument, op, ": negative size ", s);
  return Tensor::empty(sizes, dtype ? pt2run::shim::dtype_arg(*dtype) : default_dtype);
}

// rand_like / randn_like: self's shape and (dense) layout, optionally another dtype.
Tensor like_output(const Tensor& self, int32_t* dtype, int32_t* layout, int32_t* device, int32_t device_index,
                   int32_t* memory_format, const char* op) {
  pt2run::shim::require_cpu_strided(layout, device, device_index, op);
  const pt2run::DType d = dtype ? pt2run::shim::dtype_arg(*dtype) : self.dtype();
  // memory_format: 0 contiguous, 1 preserve (the default), 2 channels-last.
  if (memory_format && *memory_format == 0) return Tensor::empty(pt2run::detail::sizes_of(self), d);
  if (memory_format && *memory_format == 2) {
    const auto sizes = pt2run::detail::sizes_of(self);
    return Tensor::empty_strided(sizes, pt2run::detail::channels_last_strides(sizes), d);
  }
  return pt2run::detail::empty_like(self, d);
}

}  // namespace

AOTITorchError aoti_torch_cpu_uniform(AtenTensorHandle self, double from, double to, AtenGeneratorHandle* generator,
                                      AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    require_default_generator(generator, "uniform");
    Tensor out = pt2run::detail::empty_like(tensor(self), tensor(self).dtype());
    cpu::uniform(out, from, to);
    *require_out(ret0, "ret0") = release_handle(std::move(out));
  });
}

AOTITorchError aoti_torch_cpu_rand(const int64_t* size, int64_t size_len_, int32_t* dtype, int32_t* layout,
                                   int32_t* device, int32_t device_index_, int32_t* /*pin_memory*/,
                                   AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    Tensor out = factory_output(int_array(size, size_len_, "size"), dtype, layout, device, device_index_,
                                pt2run::DType::Float32, "rand");
    cpu::uniform(out, 0, 1);
    *require_out(ret0, "ret0") = release_handle(std::move(out));
  });
}

AOTITorchError aoti_torch_cpu_randn(const int64_t* size, int64_t size_len_, int32_t* dtype, int32_t* layout,
                                    int32_t* device, int32_t device_index_, int32_t* /*pin_memory*/,
                                    AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    Tensor out = factory_output(int_array(size, size_len_, "size"), dtype, layout, device, device_index_,
                                pt2run::DType::Float32, "randn");
    cpu::normal(out, 0, 1);
    *require_out(ret0, "ret0") = release_handle(std::move(out));
  });
}

AOTITorchError aoti_torch_cpu_rand_like(AtenTensorHandle self, int32_t* dtype, int32_t* layout, int32_t* device,
                                        int32_t device_index_, int32_t* /*pin_memory*/, int32_t* memory_format,
                                        AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    Tensor out = like_output(tensor(self), dtype, layout, device, device_index_, memory_format, "rand_like");
    cpu::uniform(out, 0, 1);
    *require_out(ret0, "ret0") = release_handle(std::move(out));
  });
}

AOTITorchError aoti_torch_cpu_randn_like(AtenTensorHandle self, int32_t* dtype, int32_t* layout, int32_t* device,
                                         int32_t device_index_, int32_t* /*pin_memory*/, int32_t* memory_format,
                                         AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    Tensor out = like_output(tensor(self), dtype, layout, device, device_index_, memory_format, "randn_like");
    cpu::normal(out, 0, 1);
    *require_out(ret0, "ret0") = release_handle(std::move(out));
  });
}

AOTITorchError aoti_torch_cpu_randint_low(int64_t low, int64_t high, const int64_t* size, int64_t size_len_,
                                          int32_t* dtype, int32_t* layout, int32_t* device, int32_t device_index_,
                                          int32_t* /*pin_memory*/, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    Tensor out = factory_output(int_array(size, size_len_, "size"), dtype, layout, device, device_index_,
                                pt2run::DType::Int64, "randint");
    cpu::randint(out, low, high);
    *require_out(ret0, "ret0") = release_handle(std::move(out));
  });
}

AOTITorchError aoti_torch_cpu_randperm(int64_t n, int32_t* dtype, int32_t* layout, int32_t* device,
                                       int32_t device_index_, int32_t* /*pin_memory*/, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    PT2RUN_CHECK(n >= 0, InvalidArgument, "randperm: n must be >= 0, got ", n);
    Tensor out = factory_output({n}, dtype, layout, device, device_index_, pt2run::DType::Int64, "randperm");
    cpu::randperm(out);
    *require_out(ret0, "ret0") = release_handle(std::move(out));
  });
}

// The *_generator overloads: AOTInductor passes the graph's generator argument, which is None
// (a null handle) in every exportable graph; the process generator then draws, as above.

AOTITorchError aoti_torch_cpu_rand_generator(const int64_t* size, int64_t size_len_, AtenGeneratorHandle* generator,
                                             int32_t* dtype, int32_t* layout, int32_t* device, int32_t device_index_,
                                             int32_t* pin_memory, AtenTensorHandle* ret0) {
  return on_default_generator(__func__, generator, "rand", [&] {
    return aoti_torch_cpu_rand(size, size_len_, dtype, layout, device, device_index_, pin_memory, ret0);
  });
}

AOTITorchError aoti_torch_cpu_randn_generator(const int64_t* size, int64_t size_len_, AtenGeneratorHandle* generator,
                                              int32_t* dtype, int32_t* layout, int32_t* device, int32_t device_index_,
                                              int32_t* pin_memory, AtenTensorHandle* ret0) {
  return on_default_generator(__func__, generator, "randn", [&] {
    return aoti_torch_cpu_randn(size, size_len_, dtype, layout, device, device_index_, pin_memory, ret0);
  });
}

AOTITorchError aoti_torch_cpu_rand_like_generator(AtenTensorHandle self, AtenGeneratorHandle* generator, int32_t* dtype,
                                                  int32_t* layout, int32_t* device, int32_t device_index_,
                                                  int32_t* pin_memory, int32_t* memory_format, AtenTensorHandle* ret0) {
  return on_default_generator(__func__, generator, "rand_like", [&] {
    return aoti_torch_cpu_rand_like(self, dtype, layout, device, device_index_, pin_memory, memory_format, ret0);
  });
}

AOTITorchError aoti_torch_cpu_randn_like_generator(AtenTensorHandle self, AtenGeneratorHandle* generator,
                                                   int32_t* dtype, int32_t* layout, int32_t* device,
                                                   int32_t device_index_, int32_t* pin_memory, int32_t* memory_format,
                                                   AtenTensorHandle* ret0) {
  return on_default_generator(__func__, generator, "randn_like", [&] {
    return aoti_torch_cpu_randn_like(self, dtype, layout, device, device_index_, pin_memory, memory_format, ret0);
  });
}

AOTITorchError aoti_torch_cpu_randint(int64_t high, const int64_t* size, int64_t size_len_, int32_t* dtype,
                                      int32_t* layout, int32_t* device, int32_t device_index_, int32_t* pin_memory,
                                      AtenTensorHandle* ret0) {
  return aoti_torch_cpu_randint_low(0, high, size, size_len_, dtype, layout, device, device_index_, pin_memory, ret0);
}

AOTITorchError aoti_torch_cpu_randint_generator(int64_t high, const int64_t* size, int64_t size_len_,
                                                AtenGeneratorHandle* generator, int32_t* dtype, int32_t* layout,
                                                int32_t* device, int32_t device_index_, int32_t* pin_memory,
                                                AtenTensorHandle* ret0) {
  return on_default_generator(__func__, generator, "randint", [&] {
    return aoti_torch_cpu_randint_low(0, high, size, size_len_, dtype, layout, device, device_index_, pin_memory, ret0);
  });
}

AOTITorchError aoti_torch_cpu_randint_like_low_dtype(AtenTensorHandle self, int64_t low, int64_t high, int32_t* dtype,
                                                     int32_t* layout, int32_t* device, int32_t device_index_,
                                                     int32_t* /*pin_memory*/, int32_t* memory_format,
                                                     AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    Tensor out = like_output(tensor(self), dtype, layout, device, device_index_, memory_format, "randint_like");
    cpu::randint(out, low, high);
    *require_out(ret0, "ret0") = release_handle(std::move(out));
  });
}

AOTITorchError aoti_torch_cpu_randint_like(AtenTensorHandle self, int64_t high, int32_t* dtype, int32_t* layout,
                                           int32_t* device, int32_t device_index_, int32_t* pin_memory,
                                           int32_t* memory_format, AtenTensorHandle* ret0) {
  return aoti_torch_cpu_randint_like_low_dtype(self, 0, high, dtype, layout, device, device_index_, pin_memory,
                                               memory_format, ret0);
}

// bernoulli_ and exponential draw from torch's generator as its CPU kernels do: the wheels
// (torch 2.11 and 2.13, both on Intel Xeons, where an MKL path would apply) give the same numbers
// for a seed as this default path.
AOTITorchError aoti_torch_cpu_bernoulli__float(AtenTensorHandle self, double p, AtenGeneratorHandle* generator) {
  return guard(__func__, [&] {
    require_default_generator(generator, "bernoulli_");
    cpu::bernoulli(tensor(self), p);
  });
}

AOTITorchError aoti_torch_cpu_bernoulli__Tensor(AtenTensorHandle self, AtenTensorHandle p,
                                                AtenGeneratorHandle* generator) {
  return guard(__func__, [&] {
    require_default_generator(generator, "bernoulli_");
    cpu::bernoulli(tensor(self), tensor(p));
  });
}

AOTITorchError aoti_torch_cpu_exponential(AtenTensorHandle self, double lambd, AtenGeneratorHandle* generator,
                                          AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    require_default_generator(generator, "exponential");
    Tensor out = pt2run::detail::empty_like(tensor(self), tensor(self).dtype());
    cpu::exponential(out, lambd);
    *require_out(ret0, "ret0") = release_handle(std::move(out));
  });
}
