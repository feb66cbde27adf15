#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "backends/cuda/cudnn_library.h"

namespace pt2run::cuda {

// One convolution signature in cuDNN's graph-API terms. x is the convolution's input, y its
// output; for a transposed convolution (cuDNN's backward data) x is our input as dy and y our
// output as dx. Dims and strides are 4-d or 5-d (a 1-d convolution as height 1).
struct ConvolutionSignature {
  bool transposed = false;
  cudnnDataType_t type = CUDNN_DATA_FLOAT;
  bool allow_tf32 = true;  // float32 only: may engines use TF32 tensor cores
  int32_t device = 0;
  int64_t alignment = 16;  // bytes every data pointer is aligned to
  std::vector<int64_t> x_dims, x_strides, w_dims, w_strides, y_dims, y_strides;
  std::vector<int64_t> padding, stride, dilation;

  std::vector<int64_t> key() const;
};

// An execution plan built once through cuDNN's graph API: running it costs a variant pack
// and one cudnnBackendExecute, where the legacy convolution call re-plans every time.
class ConvolutionPlan {
 public:
  ~ConvolutionPlan();
  ConvolutionPlan(const ConvolutionPlan&) = delete;
  ConvolutionPlan& operator=(const ConvolutionPlan&) = delete;

  int64_t workspace_bytes() const { return workspace_bytes_; }
  cudnnStatus_t execute(cudnnHandle_t handle, const void* x, const void* w, void* y, void* workspace) const;

  // The plan for `signature`, built on first request with cuDNN's mode-A heuristics (the
  // first engine configuration that finalizes, skipping TF32 engines when not allowed and
  // engines that down-convert their inputs, as torch does); nullptr when the graph API has none, which is
  // remembered too. Thread-safe.
  static std::shared_ptr<const ConvolutionPlan> find(cudnnHandle_t handle, const ConvolutionSignature& signature);
  // Forgets the plan of `signature` and falls back for good (after a failed execution).
  static void refuse(const ConvolutionSignature& signature);

 private:
  ConvolutionPlan() = default;
  static std::shared_ptr<const ConvolutionPlan> build(cudnnHandle_t handle, const ConvolutionSignature& signature);
  cudnnBackendDescriptor_t plan_ = nullptr;
  int64_t workspace_bytes_ = 0;
};

}  // namespace pt2run::cuda
