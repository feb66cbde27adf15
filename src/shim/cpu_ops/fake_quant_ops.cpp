// Quantization-aware training's fused observer + fake quantizer, in place and functional.

#include "backends/cpu/fake_quant.h"
#include "shim/shim_guard.h"

using pt2run::Tensor;
using pt2run::shim::guard;
using pt2run::shim::put_result;
using pt2run::shim::require_out;
using pt2run::shim::release_handle;
using pt2run::shim::tensor;
namespace cpu = pt2run::cpu;

AOTITorchError aoti_torch_cpu__fused_moving_avg_obs_fq_helper(
    AtenTensorHandle self, AtenTensorHandle observer_on, AtenTensorHandle fake_quant_on,
    AtenTensorHandle running_min, AtenTensorHandle running_max, AtenTensorHandle scale, AtenTensorHandle zero_point,
    double averaging_const, int64_t quant_min, int64_t quant_max, int64_t ch_axis, int32_t per_row_fake_quant,
    int32_t symmetric_quant, AtenTensorHandle* ret0, AtenTensorHandle* ret1) {
  return guard(__func__, [&] {
    cpu::FakeQuantState state{tensor(running_min), tensor(running_max), tensor(scale), tensor(zero_point)};
    auto r = cpu::fused_moving_avg_obs_fake_quant(tensor(self), tensor(observer_on), tensor(fake_quant_on), state,
                                                  averaging_const, quant_min, quant_max, ch_axis,
                                                  per_row_fake_quant != 0, symmetric_quant != 0);
    // The state is the caller's: values were written into its storage; grown tensors replace it.
    tensor(running_min) = state.running_min;
    tensor(running_max) = state.running_max;
    tensor(scale) = state.scale;
    tensor(zero_point) = state.zero_point;
    put_result(std::move(r.output), ret0);
    put_result(std::move(r.mask), ret1);
  });
}

AOTITorchError aoti_torch_cpu__fused_moving_avg_obs_fq_helper_functional(
    AtenTensorHandle self, AtenTensorHandle observer_on, AtenTensorHandle fake_quant_on,
    AtenTensorHandle running_min, AtenTensorHandle running_max, AtenTensorHandle scale, AtenTensorHandle zero_point,
    double averaging_const, int64_t quant_min, int64_t quant_max, int64_t ch_axis, int32_t per_row_fake_quant,
    int32_t symmetric_quant, AtenTensorHandle* ret0, AtenTensorHandle* ret1, AtenTensorHandle* ret2,
    AtenTensorHandle* ret3, AtenTensorHandle* ret4, AtenTensorHandle* ret5) {
  return guard(__func__, [&] {
    // The functional form updates copies of the state and returns them.
    cpu::FakeQuantState state{tensor(running_min).clone(), tensor(running_max).clone(), tensor(scale).clone(),
                              tensor(zero_point).clone()};
    auto r = cpu::fused_moving_avg_obs_fake_quant(tensor(self), tensor(observer_on), tensor(fake_quant_on), state,
                                                  averaging_const, quant_min, quant_max, ch_axis,
                                                  per_row_fake_quant != 0, symmetric_quant != 0);
    put_result(std::move(r.output), ret0);
    *require_out(ret1, "ret1") = release_handle(std::move(r.mask));
    *require_out(ret2, "ret2") = release_handle(std::move(state.running_min));
    *require_out(ret3, "ret3") = release_handle(std::move(state.running_max));
    *require_out(ret4, "ret4") = release_handle(std::move(state.scale));
    *require_out(ret5, "ret5") = release_handle(std::move(state.zero_point));
  });
}
