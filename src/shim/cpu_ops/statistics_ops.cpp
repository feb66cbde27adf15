// Order statistics and histograms over whole tensors or one dim: median, nanmedian, mode and
// torch.histogram / histogramdd with bin counts.

#include <optional>
#include <vector>

#include "backends/cpu/selection.h"
#include "backends/cpu/sorting.h"
#include "shim/shim_args.h"
#include "shim/shim_guard.h"

using pt2run::Tensor;
using pt2run::shim::guard;
using pt2run::shim::int_array;
using pt2run::shim::optional_tensor;
using pt2run::shim::put_result;
using pt2run::shim::tensor;
namespace cpu = pt2run::cpu;

namespace {

// The optional float list `range` (float[]?): null when absent.
std::optional<std::vector<double>> range_arg(const double** range, int64_t range_len) {
  if (range == nullptr || *range == nullptr) return std::nullopt;
  PT2RUN_CHECK(range_len >= 0 && range_len <= 64, InvalidArgument, "histogram: bad range length ", range_len);
  return std::vector<double>(*range, *range + range_len);
}

}  // namespace

AOTITorchError aoti_torch_cpu_median(AtenTensorHandle self, AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(cpu::median_all(tensor(self)), ret0); });
}

AOTITorchError aoti_torch_cpu_nanmedian(AtenTensorHandle self, AtenTensorHandle* ret0) {
  return guard(__func__, [&] { put_result(cpu::nanmedian_all(tensor(self)), ret0); });
}

AOTITorchError aoti_torch_cpu_mode(AtenTensorHandle self, int64_t dim, int32_t keepdim, AtenTensorHandle* ret0,
                                   AtenTensorHandle* ret1) {
  return guard(__func__, [&] {
    auto [values, indices] = cpu::mode(tensor(self), dim, keepdim != 0);
    put_result(std::move(values), ret0);
    put_result(std::move(indices), ret1);
  });
}

AOTITorchError aoti_torch_cpu_histogram_bin_ct(AtenTensorHandle self, int64_t bins, const double** range,
                                               int64_t range_len_, AtenTensorHandle* weight, int32_t density,
                                               AtenTensorHandle* ret0, AtenTensorHandle* ret1) {
  return guard(__func__, [&] {
    const auto r = range_arg(range, range_len_);
    const Tensor& input = tensor(self);
    // histogram treats every element as one 1-d sample.
    auto result = cpu::histogramdd(input, {bins}, r ? &*r : nullptr, optional_tensor(weight), density != 0);
    put_result(std::move(result.hist), ret0);
    put_result(std::move(result.edges.front()), ret1);
  });
}

AOTITorchError aoti_torch_cpu__histogramdd_from_bin_cts(AtenTensorHandle self, const int64_t* bins, int64_t bins_len_,
                                                        const double** range, int64_t range_len_,
                                                        AtenTensorHandle* weight, int32_t density,
                                                        AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    const auto r = range_arg(range, range_len_);
    auto result = cpu::histogramdd(tensor(self), int_array(bins, bins_len_, "bins"), r ? &*r : nullptr,
                                   optional_tensor(weight), density != 0);
    put_result(std::move(result.hist), ret0);
  });
}
