#pragma once

#include <string>
#include <unordered_map>

#include "package/package.h"
#include "pt2run/tensor.h"

namespace pt2run::detail {

// The weights of a model packaged with aot_inductor.package_constants_on_disk_format=
// "pickle_weights": data/aotinductor/<model>/weights_config.json maps each original FQN to
// [file, shape, stride, storage offset], and data/weights/<file> is a torch.save'd tensor
// (itself a zip). Returns FQN -> tensor. Where both zip layers store the bytes uncompressed
// (what torch writes) the tensors map the package file copy-on-write: nothing is copied, and
// the mapping lives as long as any tensor (or a runner holding them as user-managed
// constants). Otherwise the bytes are decompressed into memory.
//
// Throws Error(InvalidPackage) naming the entry for a missing or malformed file, an unknown
// storage type, or a view that does not fit its storage.
std::unordered_map<std::string, Tensor> load_pickle_weights(const Pt2Package& package,
                                                            const ModelFiles& model);

}  // namespace pt2run::detail
