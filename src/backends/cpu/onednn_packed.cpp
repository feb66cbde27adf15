#include "backends/cpu/onednn_packed.h"

#include <map>
#include <mutex>
#include <vector>

#include "backends/cpu/onednn_plans.h"
#include "core/check.h"
#include "core/storage.h"

namespace pt2run::cpu::onednn {
namespace {

std::vector<int64_t> key_of(const detail::PackedLayout& l) {
  std::vector<int64_t> key{static_cast<int64_t>(l.dtype)};
  for (const auto* v : {&l.dims, &l.padded_dims, &l.strides, &l.inner_blocks, &l.inner_indices}) {
    key.push_back(static_cast<int64_t>(v->size()));
    key.insert(key.end(), v->begin(), v->end());
  }
  return key;
}

bool describes(const_dnnl_memory_desc_t md, const detail::PackedLayout& l) {
  const auto ndims = static_cast<int>(l.dims.size());
  const dnnl_dims_t* padded = nullptr;
  const dnnl_dims_t* strides = nullptr;
  const dnnl_dims_t* blocks = nullptr;
  const dnnl_dims_t* indices = nullptr;
  int count = 0;
  if (dnnl_memory_desc_query(md, dnnl_query_padded_dims, &padded) != dnnl_success ||
      dnnl_memory_desc_query(md, dnnl_query_strides, &strides) != dnnl_success ||
      dnnl_memory_desc_query(md, dnnl_query_inner_nblks_s32, &count) != dnnl_success ||
      dnnl_memory_desc_query(md, dnnl_query_inner_blks, &blocks) != dnnl_success ||
      dnnl_memory_desc_query(md, dnnl_query_inner_idxs, &indices) != dnnl_success)
    return false;
  if (count != static_cast<int>(l.inner_blocks.size())) return false;
  for (int d = 0; d < ndims; ++d) {
    const auto i = static_cast<std::size_t>(d);
    if ((*padded)[d] != l.padded_dims[i]) return false;
    // A dim of one block has no meaningful stride (oneDNN may give it any).
    if (l.padded_dims[i] != [&] {
          int64_t b = 1;
          for (int k = 0; k < count; ++k)
            if ((*indices)[k] == d) b *= (*blocks)[k];
          return b;
        }() && (*strides)[d] != l.strides[i])
      return false;
  }
  for (int k = 0; k < count; ++k)
    if ((*blocks)[k] != l.inner_blocks[static_cast<std::size_t>(k)] ||
        (*indices)[k] != l.inner_indices[static_cast<std::size_t>(k)])
      return false;
  return true;
}

dnnl::memory::desc find_desc(const detail::PackedLayout& l) {
  const auto ndims = static_cast<int>(l.dims.size());
  dnnl_dims_t dims{};
  for (int d = 0; d < ndims; ++d) dims[d] = l.dims[static_cast<std::size_t>(d)];
  const auto type = static_cast<dnnl_data_type_t>(float_type(l.dtype, "a prepacked weight"));
  for (int tag = dnnl_format_tag_any + 1; tag < dnnl_format_tag_last; ++tag) {
    dnnl_memory_desc_t md = nullptr;
    if (dnnl_memory_desc_create_with_tag(&md, ndims, dims, type, static_cast<dnnl_format_tag_t>(tag)) !=
        dnnl_success)
      continue;
    if (describes(md, l) && dnnl_memory_desc_get_size(md) == l.nbytes) return dnnl::memory::desc(md);
    dnnl_memory_desc_destroy(md);
  }
  std::string blocks;
  for (std::size_t k = 0; k < l.inner_blocks.size(); ++k)
    blocks += (k ? ", " : "") + std::to_string(l.inner_blocks[k]) + " on dim " + std::to_string(l.inner_indices[k]);
  detail::fail(ErrorCode::NotImplemented, "a prepacked weight's layout (", ndims, " dims, inner blocks: ",
               blocks.empty() ? "none" : blocks, ") is not one this build's oneDNN ", DNNL_VERSION_MAJOR, ".",
               DNNL_VERSION_MINOR, " names; export with inductor_configs={\"freezing\": True, "
               "\"cpp.weight_prepack\": False} and pt2run packs the weights itself");
}

}  // namespace

dnnl::memory::desc packed_desc(const detail::PackedLayout& layout) {
  static std::mutex mutex;
  static auto* found = new std::map<std::vector<int64_t>, dnnl::memory::desc>;  // never destroyed
  const auto key = key_of(layout);
  {
    std::lock_guard lock(mutex);
    if (auto it = found->find(key); it != found->end()) return it->second;
  }
  dnnl::memory::desc md = find_desc(layout);
  std::lock_guard lock(mutex);
  return found->try_emplace(key, md).first->second;
}

const detail::PackedLayout* packed_layout(const Tensor& t) {
  return t.defined() && t.storage() ? t.storage()->packed_layout.get() : nullptr;
}

}  // namespace pt2run::cpu::onednn
