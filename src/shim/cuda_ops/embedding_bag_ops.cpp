// aoti_torch_cuda__embedding_bag{,_forward_only}: the CPU implementation on host copies
// (shim/host_staged.h), then the bookkeeping outputs as CUDA's kernel writes them.

#include "shim/aoti_shim_cuda.h"
#include "shim/host_staged.h"
#include "shim/shim_guard.h"

using pt2run::shim::call_on_host;
using pt2run::shim::guard;

namespace {

// CUDA's _embedding_bag reports its bookkeeping differently from the CPU's, and a CUDA graph
// returns what CUDA computes: offset2bag holds each index's bag (the CPU leaves it empty in sum
// mode), bag_size counts each bag's indices other than padding_idx in every mode, and
// max_indices is empty unless the mode is max. The host run's bag outputs are replaced with
// those (the pooled output, and max mode's max_indices, are the same on both).
void cuda_bag_outputs(AtenTensorHandle indices, AtenTensorHandle offsets, int64_t mode,
                      int32_t include_last_offset, int64_t padding_idx,
                      AtenTensorHandle* offset2bag, AtenTensorHandle* bag_size,
                      AtenTensorHandle* max_indices) {
  using pt2run::DType;
  using pt2run::Tensor;
  const Tensor& idx = pt2run::shim::tensor(indices);
  const Tensor& off = pt2run::shim::tensor(offsets);
  const Tensor ids = idx.to(pt2run::Device::cpu()).to(DType::Int64).contiguous();
  const Tensor starts = off.to(pt2run::Device::cpu()).to(DType::Int64).contiguous();
  const int64_t n = ids.numel();
  const int64_t bags = starts.numel() - (include_last_offset ? 1 : 0);
  PT2RUN_CHECK(idx.dim() == 1 && off.dim() == 1 && bags >= 0, InvalidArgument,
               "_embedding_bag: 1-d indices and offsets expected, got ", idx.describe(), " and ",
               off.describe());
  // Both bookkeeping outputs take the indices' and offsets' common dtype, as torch's promotion.
  const DType index_dtype = idx.dtype() == off.dtype() ? idx.dtype() : DType::Int64;
  Tensor to_bag = Tensor::zeros({n}, DType::Int64),
         sizes = Tensor::zeros({starts.numel()}, DType::Int64);
  for (int64_t b = 0; b < bags; ++b) {
    const int64_t begin = b == 0 ? 0 : starts.data<int64_t>()[b];
    const int64_t end = b + 1 < bags ? starts.data<int64_t>()[b + 1] : n;
    PT2RUN_CHECK(begin >= 0 && begin <= end && end <= n, InvalidArgument,
                 "_embedding_bag: offsets ", off.describe(), " are not increasing within the ", n,
                 " indices");
    for (int64_t i = begin; i < end; ++i) {
      to_bag.data<int64_t>()[i] = b;
      if (ids.data<int64_t>()[i] != padding_idx) ++sizes.data<int64_t>()[b];
    }
  }
  const pt2run::Device device = idx.device();
  auto replace = [&](AtenTensorHandle* slot, const Tensor& value) {
    delete reinterpret_cast<Tensor*>(*slot);
    *slot = nullptr;
    *slot = pt2run::shim::release_handle(value.to(index_dtype).to(device));
  };
  replace(offset2bag, to_bag);
  replace(bag_size, sizes);
  if (mode != 2) replace(max_indices, Tensor::empty({0}, DType::Int64));
}

}  // namespace

AOTITorchError aoti_torch_cuda__embedding_bag(AtenTensorHandle weight, AtenTensorHandle indices,
                                              AtenTensorHandle offsets, int32_t scale_grad_by_freq,
                                              int64_t mode, int32_t sparse,
                                              AtenTensorHandle* per_sample_weights,
                                              int32_t include_last_offset, int64_t padding_idx,
                                              AtenTensorHandle* ret0, AtenTensorHandle* ret1,
                                              AtenTensorHandle* ret2, AtenTensorHandle* ret3) {
  const AOTITorchError rc = call_on_host<4>(
      __func__, aoti_torch_cpu__embedding_bag, weight, indices, offsets, scale_grad_by_freq, mode,
      sparse, per_sample_weights, include_last_offset, padding_idx, ret0, ret1, ret2, ret3);
  if (rc != kShimSuccess) return rc;
  return guard(__func__, [&] {
    cuda_bag_outputs(indices, offsets, mode, include_last_offset, padding_idx, ret1, ret2, ret3);
  });
}

AOTITorchError aoti_torch_cuda__embedding_bag_forward_only(
    AtenTensorHandle weight, AtenTensorHandle indices, AtenTensorHandle offsets,
    int32_t scale_grad_by_freq, int64_t mode, int32_t sparse, AtenTensorHandle* per_sample_weights,
    int32_t include_last_offset, int64_t padding_idx, AtenTensorHandle* ret0,
    AtenTensorHandle* ret1, AtenTensorHandle* ret2, AtenTensorHandle* ret3) {
  const AOTITorchError rc =
      call_on_host<4>(__func__, aoti_torch_cpu__embedding_bag_forward_only, weight, indices,
                      offsets, scale_grad_by_freq, mode, sparse, per_sample_weights,
                      include_last_offset, padding_idx, ret0, ret1, ret2, ret3);
  if (rc != kShimSuccess) return rc;
  return guard(__func__, [&] {
    cuda_bag_outputs(indices, offsets, mode, include_last_offset, padding_idx, ret1, ret2, ret3);
  });
}
