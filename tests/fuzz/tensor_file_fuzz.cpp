// One fuzz target per tensor file reader; PT2RUN_FUZZ_FORMAT picks it at compile time.

#include <span>

#include "fuzz/fuzz_target.h"
#include "pt2run/error.h"
#include "pt2run/tensor_file.h"

using pt2run::TensorFileFormat;

namespace {
constexpr auto kFormat = static_cast<TensorFileFormat>(PT2RUN_FUZZ_FORMAT);
}

std::vector<std::string> pt2run_fuzz_seeds() {
  using pt2run::DType;
  using pt2run::Tensor;
  pt2run::NamedTensors tensors = {{"a", Tensor::zeros({2, 3}, DType::Float32)},
                                  {"b", Tensor::zeros({4}, DType::Int64)},
                                  {"c", Tensor::zeros({}, DType::Bool)}};
  std::vector<std::string> seeds;
  if (kFormat == TensorFileFormat::Npy) {
    for (const auto& [name, t] : tensors) seeds.push_back(pt2run::encode_tensors({{name, t}}, kFormat));
  } else {
    seeds.push_back(pt2run::encode_tensors(tensors, kFormat));
    seeds.push_back(pt2run::encode_tensors({{"bf", Tensor::zeros({3}, DType::BFloat16)}}, kFormat));
  }
  return seeds;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    pt2run::parse_tensors(std::as_bytes(std::span(data, size)), kFormat, "fuzz input");
  } catch (const pt2run::Error&) {
  }
  return 0;
}
