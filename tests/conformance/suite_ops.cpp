// C++ twins of the custom ops PyTorch's AOTInductor suite defines in Python (torch.library),
// written from what each op computes. pt2run runs no Python, so a package calling such an op
// runs only with an implementation registered; tools/conformance.py loads this library with
// `pt2run run --custom-ops`, the way a user runs their own ops (docs/custom_ops.md). Each schema
// is the one the suite declares: the proxy executor matches the call against it.
//
// The ops are elementwise or slicing on small tensors; they compute on the host (copying a
// CUDA argument there and the result back) in float64 and return the argument's dtype.

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <pt2run/pt2run.h>

namespace {

using pt2run::DType;
using pt2run::Tensor;

std::vector<int64_t> sizes_of(const Tensor& t) { return {t.sizes().begin(), t.sizes().end()}; }

// f applied to each element of the arguments (all of the first's shape), in float64, returned
// in the first argument's dtype and on its device.
template <class F>
Tensor elementwise(const char* op, const std::vector<Tensor>& args, F f) {
  const Tensor& first = args.front();
  std::vector<Tensor> host;
  for (const Tensor& a : args) {
    if (sizes_of(a) != sizes_of(first))
      throw std::invalid_argument(std::string(op) + ": expects arguments of one shape, got " +
                                  first.describe() + " and " + a.describe());
    host.push_back(a.to(pt2run::Device::cpu()).to(DType::Float64));
  }
  Tensor out = Tensor::empty(sizes_of(first), DType::Float64);
  std::vector<double> values(host.size());
  for (int64_t i = 0; i < first.numel(); ++i) {
    for (std::size_t k = 0; k < host.size(); ++k) values[k] = host[k].data<double>()[i];
    out.data<double>()[i] = f(values);
  }
  return out.to(first.dtype()).to(first.device());
}

Tensor add_scalar(const char* op, const Tensor& a, double s) {
  return elementwise(op, {a}, [s](const std::vector<double>& v) { return v[0] + s; });
}

// aoti_test::validate_input: raises on NaN, with the message the suite expects to reach the
// caller, else a copy.
Tensor validate_input(const Tensor& x) {
  Tensor host = x.to(pt2run::Device::cpu()).to(DType::Float64);
  for (int64_t i = 0; i < host.numel(); ++i)
    if (std::isnan(host.data<double>()[i])) throw std::runtime_error("NaN detected in input tensor");
  return x.to(pt2run::Device::cpu()).clone().to(x.device());
}

// mylib::foo: a[:b.item()], a size known only at run time (an unbacked size in the graph).
Tensor leading_slice(const Tensor& a, const Tensor& b) {
  if (b.numel() != 1) throw std::invalid_argument("mylib::foo: b must hold one value, got " + b.describe());
  const int64_t n = static_cast<int64_t>(b.to(pt2run::Device::cpu()).to(DType::Float64).data<double>()[0]);
  if (a.dim() < 1 || n < 0 || n > a.size(0))
    throw std::invalid_argument("mylib::foo: cannot take the first " + std::to_string(n) + " rows of " +
                                a.describe());
  std::vector<int64_t> sizes = sizes_of(a);
  sizes[0] = n;
  const Tensor host = a.to(pt2run::Device::cpu());
  return host.as_strided(sizes, {host.strides().begin(), host.strides().end()}, host.storage_offset())
      .clone()
      .to(a.device());
}

const bool registered = [] {
  pt2run::register_op("mylib::foo2(Tensor a, Tensor b) -> Tensor", [](const pt2run::OpArgs& a) {
    return std::vector<Tensor>{elementwise("mylib::foo2", {a.tensor("a"), a.tensor("b")},
                                           [](const std::vector<double>& v) { return v[0] + v[1]; })};
  });
  pt2run::register_op("mylib::foo_add1(Tensor a) -> Tensor", [](const pt2run::OpArgs& a) {
    return std::vector<Tensor>{add_scalar("mylib::foo_add1", a.tensor("a"), 1)};
  });
  pt2run::register_op("mylib::foo_add2(Tensor a) -> Tensor", [](const pt2run::OpArgs& a) {
    return std::vector<Tensor>{add_scalar("mylib::foo_add2", a.tensor("a"), 2)};
  });
  pt2run::register_op("aoti_test::validate_input(Tensor x) -> Tensor", [](const pt2run::OpArgs& a) {
    return std::vector<Tensor>{validate_input(a.tensor("x"))};
  });
  pt2run::register_op("mylib::foo(Tensor a, Tensor b) -> Tensor", [](const pt2run::OpArgs& a) {
    return std::vector<Tensor>{leading_slice(a.tensor("a"), a.tensor("b"))};
  });
  return true;
}();

}  // namespace
