// The C++ twin of export_model.py's mylib::scaled_softplus, for pt2run: built as a shared
// library and loaded with `pt2run run|bench|serve --custom-ops libmy_ops.so`, it registers the op
// when it is loaded (a static initializer), so packages that call it run.

#include <cmath>

#include <pt2run/pt2run.h>

namespace {

// softplus(x, beta) * scale, scale broadcast along the last dim, as the Python op computes it
// (torch's softplus is linear above beta * x > 20).
pt2run::Tensor scaled_softplus(const pt2run::Tensor& x, double beta, const pt2run::Tensor& scale) {
  pt2run::Tensor in = x.to(pt2run::DType::Float32).contiguous();
  pt2run::Tensor s = scale.to(pt2run::DType::Float32).contiguous();
  pt2run::Tensor out = pt2run::Tensor::empty({in.sizes().begin(), in.sizes().end()}, pt2run::DType::Float32);
  const int64_t width = in.dim() > 0 ? in.size(in.dim() - 1) : 1;
  if (s.numel() != width && s.numel() != 1)
    throw std::invalid_argument("mylib::scaled_softplus: scale must have one value per column");
  for (int64_t i = 0; i < in.numel(); ++i) {
    const double v = in.data<float>()[i];
    const double sp = beta * v > 20 ? v : std::log1p(std::exp(beta * v)) / beta;
    out.data<float>()[i] = static_cast<float>(sp * s.data<float>()[s.numel() == 1 ? 0 : i % width]);
  }
  return out;
}

// The schema is what torch prints for the op (export_model.py shows it).
const bool registered = [] {
  pt2run::register_op("mylib::scaled_softplus(Tensor x, float beta, Tensor scale) -> Tensor",
                      [](const pt2run::OpArgs& a) {
                        return std::vector<pt2run::Tensor>{
                            scaled_softplus(a.tensor("x"), a.float_value("beta"), a.tensor("scale"))};
                      });
  return true;
}();

}  // namespace
