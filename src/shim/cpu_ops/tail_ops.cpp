// The long tail of aoti_torch_cpu_* fallbacks: running extremes, order statistics, selection with
// data-dependent sizes, embedding bags, scatter/segment reductions, FFTs, integer and
// int8-weight matmuls, distances, and LSTM layers. Each decodes its arguments
// and calls the backend in src/backends/cpu.

#include <optional>
#include <string>

#include "backends/cpu/fft.h"
#include "backends/cpu/indexing.h"
#include "backends/cpu/linalg.h"
#include "backends/cpu/recurrent.h"
#include "backends/cpu/scan.h"
#include "backends/cpu/selection.h"
#include "backends/cpu/sorting.h"
#include "shim/shim_args.h"
#include "shim/shim_guard.h"

using pt2run::Tensor;
using pt2run::shim::guard;
using pt2run::shim::int_array;
using pt2run::shim::optional_tensor;
using pt2run::shim::release_handle;
using pt2run::shim::require_out;
using pt2run::shim::tensor;
namespace cpu = pt2run::cpu;

namespace {

void put_pair(std::pair<Tensor, Tensor> result, AtenTensorHandle* ret0, AtenTensorHandle* ret1) {
  *require_out(ret0, "ret0") = release_handle(std::move(result.first));
  *require_out(ret1, "ret1") = release_handle(std::move(result.second));
}

}  // namespace

AOTITorchError aoti_torch_cpu_cummax(AtenTensorHandle self, int64_t dim, AtenTensorHandle* ret0,
                                     AtenTensorHandle* ret1) {
  return guard(__func__, [&] { put_pair(cpu::cumulative_extreme(tensor(self), dim, true), ret0, ret1); });
}

AOTITorchError aoti_torch_cpu_cummin(AtenTensorHandle self, int64_t dim, AtenTensorHandle* ret0,
                                     AtenTensorHandle* ret1) {
  return guard(__func__, [&] { put_pair(cpu::cumulative_extreme(tensor(self), dim, false), ret0, ret1); });
}

AOTITorchError aoti_torch_cpu_kthvalue(AtenTensorHandle self, int64_t k, int64_t dim, int32_t keepdim,
                                       AtenTensorHandle* ret0, AtenTensorHandle* ret1) {
  return guard(__func__, [&] { put_pair(cpu::kthvalue(tensor(self), k, dim, keepdim != 0), ret0, ret1); });
}

AOTITorchError aoti_torch_cpu_masked_select(AtenTensorHandle self, AtenTensorHandle mask,
                                            AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    *require_out(ret0, "ret0") = release_handle(cpu::masked_select(tensor(self), tensor(mask)));
  });
}

AOTITorchError aoti_torch_cpu_repeat_interleave_Tensor(AtenTensorHandle repeats, int64_t* output_size,
                                                       AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    *require_out(ret0, "ret0") = release_handle(cpu::repeat_interleave(tensor(repeats), output_size));
  });
}

namespace {

// scale_grad_by_freq and sparse only change gradients, so the two embedding_bag fallbacks
// compute the same four outputs.
void embedding_bag_outputs(AtenTensorHandle weight, AtenTensorHandle indices, AtenTensorHandle offsets, int64_t mode,
                           AtenTensorHandle* per_sample_weights, int32_t include_last_offset, int64_t padding_idx,
                           AtenTensorHandle* ret0, AtenTensorHandle* ret1, AtenTensorHandle* ret2,
                           AtenTensorHandle* ret3) {
  auto r = cpu::embedding_bag(tensor(weight), tensor(indices), tensor(offsets), mode,
                              optional_tensor(per_sample_weights), include_last_offset != 0, padding_idx);
  *require_out(ret0, "ret0") = release_handle(std::move(r.output));
  *require_out(ret1, "ret1") = release_handle(std::move(r.offset2bag));
  *require_out(ret2, "ret2") = release_handle(std::move(r.bag_size));
  *require_out(ret3, "ret3") = release_handle(std::move(r.max_indices));
}

}  // namespace

AOTITorchError aoti_torch_cpu__embedding_bag(AtenTensorHandle weight, AtenTensorHandle indices,
                                             AtenTensorHandle offsets, int32_t /*scale_grad_by_freq*/,
                                             int64_t mode, int32_t /*sparse*/,
                                             AtenTensorHandle* per_sample_weights,
                                             int32_t include_last_offset, int64_t padding_idx,
                                             AtenTensorHandle* ret0, AtenTensorHandle* ret1,
                                             AtenTensorHandle* ret2, AtenTensorHandle* ret3) {
  return guard(__func__, [&] {
    embedding_bag_outputs(weight, indices, offsets, mode, per_sample_weights, include_last_offset, padding_idx, ret0,
                          ret1, ret2, ret3);
  });
}

AOTITorchError aoti_torch_cpu__embedding_bag_forward_only(
    AtenTensorHandle weight, AtenTensorHandle indices, AtenTensorHandle offsets, int32_t /*scale_grad_by_freq*/,
    int64_t mode, int32_t /*sparse*/, AtenTensorHandle* per_sample_weights, int32_t include_last_offset,
    int64_t padding_idx, AtenTensorHandle* ret0, AtenTensorHandle* ret1, AtenTensorHandle* ret2,
    AtenTensorHandle* ret3) {
  return guard(__func__, [&] {
    embedding_bag_outputs(weight, indices, offsets, mode, per_sample_weights, include_last_offset, padding_idx, ret0,
                          ret1, ret2, ret3);
  });
}

AOTITorchError aoti_torch_cpu_scatter_reduce_two_out(AtenTensorHandle out, AtenTensorHandle self,
                                                     int64_t dim, AtenTensorHandle index,
                                                     AtenTensorHandle src, const char* reduce,
                                                     int32_t include_self) {
  return guard(__func__, [&] {
    PT2RUN_CHECK(reduce != nullptr, InvalidArgument, "null 'reduce'");
    cpu::scatter_reduce(tensor(out), tensor(self), dim, tensor(index), tensor(src), reduce,
                        include_self != 0);
  });
}

AOTITorchError aoti_torch_cpu_segment_reduce(AtenTensorHandle data, const char* reduce,
                                             AtenTensorHandle* lengths, AtenTensorHandle* indices,
                                             AtenTensorHandle* offsets, int64_t axis, int32_t /*unsafe*/,
                                             double* initial, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    PT2RUN_CHECK(reduce != nullptr, InvalidArgument, "null 'reduce'");
    PT2RUN_CHECK(optional_tensor(indices) == nullptr, NotImplemented,
                 "segment_reduce with 'indices' (torch does not implement it either)");
    std::optional<double> init;
    if (initial) init = *initial;
    *require_out(ret0, "ret0") = release_handle(cpu::segment_reduce(
        tensor(data), reduce, optional_tensor(lengths), optional_tensor(offsets), axis, init));
  });
}

AOTITorchError aoti_torch_cpu__fft_r2c(AtenTensorHandle self, const int64_t* dim, int64_t dim_len_,
                                       int64_t normalization, int32_t onesided, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    *require_out(ret0, "ret0") = release_handle(cpu::fft_r2c(
        tensor(self), int_array(dim, dim_len_, "dim"), normalization, onesided != 0));
  });
}

AOTITorchError aoti_torch_cpu__fft_c2c(AtenTensorHandle self, const int64_t* dim, int64_t dim_len_,
                                       int64_t normalization, int32_t forward, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    *require_out(ret0, "ret0") = release_handle(cpu::fft_c2c(
        tensor(self), int_array(dim, dim_len_, "dim"), normalization, forward != 0));
  });
}

AOTITorchError aoti_torch_cpu_abs(AtenTensorHandle self, AtenTensorHandle* ret0) {
  // Inductor generates abs of real tensors itself; only complex inputs reach the fallback.
  return guard(__func__, [&] {
    *require_out(ret0, "ret0") = release_handle(cpu::complex_abs(tensor(self)));
  });
}

AOTITorchError aoti_torch_cpu_view_as_real(AtenTensorHandle self, AtenTensorHandle* ret0) {
  return aoti_torch_view_as_real(self, ret0);
}

AOTITorchError aoti_torch_cpu__int_mm_out(AtenTensorHandle out, AtenTensorHandle self,
                                          AtenTensorHandle mat2) {
  return guard(__func__, [&] { cpu::int_mm(tensor(out), tensor(self), tensor(mat2)); });
}

AOTITorchError aoti_torch_cpu__weight_int8pack_mm(AtenTensorHandle self, AtenTensorHandle mat2,
                                                  AtenTensorHandle scales, AtenTensorHandle* ret0) {
  return guard(__func__, [&] {
    *require_out(ret0, "ret0") =
        release_handle(cpu::weight_int8pack_mm(tensor(self), tensor(mat2), tensor(scales)));
  });
}

AOTITorchError aoti_torch_cpu__cdist_forward(AtenTensorHandle x1, AtenTensorHandle x2, double p,
                                             int64_t* /*compute_mode*/, AtenTensorHandle* ret0) {
  // compute_mode only picks torch's matmul shortcut for p = 2; the direct sum is exact.
  return guard(__func__, [&] {
    *require_out(ret0, "ret0") = release_handle(cpu::cdist(tensor(x1), tensor(x2), p));
  });
}

AOTITorchError aoti_torch_cpu_mkldnn_rnn_layer(
    AtenTensorHandle input, AtenTensorHandle weight0, AtenTensorHandle weight1,
    AtenTensorHandle weight2, AtenTensorHandle weight3, AtenTensorHandle hx_, AtenTensorHandle cx_,
    int32_t reverse, const int64_t* /*batch_sizes*/, int64_t batch_sizes_len_, int64_t mode,
    int64_t hidden_size, int64_t /*num_layers*/, int32_t has_biases, int32_t /*bidirectional*/,
    int32_t batch_first, int32_t /*train*/, AtenTensorHandle* ret0, AtenTensorHandle* ret1,
    AtenTensorHandle* ret2, AtenTensorHandle* ret3) {
  return guard(__func__, [&] {
    // torch's cuDNN-style mode numbering: 0 RNN_RELU, 1 RNN_TANH, 2 LSTM, 3 GRU; CPU torch
    // only sends LSTM here (GRU and plain RNNs are decomposed into generated code).
    PT2RUN_CHECK(mode == 2, NotImplemented, "mkldnn_rnn_layer mode ", mode, " (only LSTM, mode 2)");
    PT2RUN_CHECK(batch_sizes_len_ == 0, NotImplemented, "mkldnn_rnn_layer with packed sequences");
    const Tensor* b_ih = has_biases ? &tensor(weight2) : nullptr;
    const Tensor* b_hh = has_biases ? &tensor(weight3) : nullptr;
    PT2RUN_CHECK(tensor(weight1).dim() == 2 && tensor(weight1).size(1) == hidden_size, ShapeMismatch,
                 "mkldnn_rnn_layer: hidden_size ", hidden_size, " does not match ",
                 tensor(weight1).describe());
    auto r = cpu::lstm_layer(tensor(input), tensor(weight0), tensor(weight1), b_ih, b_hh,
                             tensor(hx_), tensor(cx_), reverse != 0, batch_first != 0);
    *require_out(ret0, "ret0") = release_handle(std::move(r.output));
    *require_out(ret1, "ret1") = release_handle(std::move(r.hy));
    *require_out(ret2, "ret2") = release_handle(std::move(r.cy));
    // The workspace only feeds training's backward pass.
    *require_out(ret3, "ret3") = release_handle(Tensor::empty({0}, pt2run::DType::UInt8));
  });
}
