#include "backends/cuda/cudnn_plans.h"

#include <map>
#include <mutex>

#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // the *_HANDLE attributes older cuDNN 9 require

namespace pt2run::cuda {
namespace {

constexpr int64_t kUidX = 'x', kUidW = 'w', kUidY = 'y';

// A backend descriptor owned for one scope.
class Descriptor {
 public:
  explicit Descriptor(cudnnBackendDescriptorType_t type) {
    if (Cudnn::get().backend_create(type, &value_) != CUDNN_STATUS_SUCCESS) value_ = nullptr;
  }
  ~Descriptor() {
    if (value_) (void)Cudnn::get().backend_destroy(value_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  cudnnBackendDescriptor_t get() const { return value_; }
  cudnnBackendDescriptor_t release() {
    cudnnBackendDescriptor_t v = value_;
    value_ = nullptr;
    return v;
  }
  // Sets attributes; each returns false on the first failure (the descriptor is then unusable).
  template <class T>
  bool set(cudnnBackendAttributeName_t name, cudnnBackendAttributeType_t type, const T* values, int64_t count = 1) {
    ok_ = ok_ && value_ && Cudnn::get().backend_set(value_, name, type, count, values) == CUDNN_STATUS_SUCCESS;
    return ok_;
  }
  bool set_ints(cudnnBackendAttributeName_t name, const std::vector<int64_t>& values) {
    return set(name, CUDNN_TYPE_INT64, values.data(), static_cast<int64_t>(values.size()));
  }
  bool finalize() {
    ok_ = ok_ && value_ && Cudnn::get().backend_finalize(value_) == CUDNN_STATUS_SUCCESS;
    return ok_;
  }

 private:
  cudnnBackendDescriptor_t value_ = nullptr;
  bool ok_ = true;
};

bool make_tensor(Descriptor& d, int64_t uid, cudnnDataType_t type, const std::vector<int64_t>& dims,
                 const std::vector<int64_t>& strides, int64_t alignment) {
  d.set(CUDNN_ATTR_TENSOR_DATA_TYPE, CUDNN_TYPE_DATA_TYPE, &type);
  d.set_ints(CUDNN_ATTR_TENSOR_DIMENSIONS, dims);
  d.set_ints(CUDNN_ATTR_TENSOR_STRIDES, strides);
  d.set(CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, &uid);
  d.set(CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT, CUDNN_TYPE_INT64, &alignment);
  return d.finalize();
}

// Whether an engine configuration computes what torch's would: no inputs rounded down to a
// narrower type, and no TF32 for float32 when it is off (torch filters the same notes).
bool acceptable(cudnnBackendDescriptor_t config, const ConvolutionSignature& s) {
  Descriptor engine(CUDNN_BACKEND_ENGINE_DESCRIPTOR);
  cudnnBackendDescriptor_t engine_value = engine.get();
  int64_t count = 0;
  if (Cudnn::get().backend_get(config, CUDNN_ATTR_ENGINECFG_ENGINE, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &count,
                               &engine_value) != CUDNN_STATUS_SUCCESS)
    return false;
  cudnnBackendNumericalNote_t notes[CUDNN_NUMERICAL_NOTE_TYPE_COUNT];
  if (Cudnn::get().backend_get(engine_value, CUDNN_ATTR_ENGINE_NUMERICAL_NOTE, CUDNN_TYPE_NUMERICAL_NOTE,
                               CUDNN_NUMERICAL_NOTE_TYPE_COUNT, &count, notes) != CUDNN_STATUS_SUCCESS)
    return false;
  for (int64_t i = 0; i < count; ++i) {
    if (notes[i] == CUDNN_NUMERICAL_NOTE_DOWN_CONVERT_INPUTS) return false;
    if (notes[i] == CUDNN_NUMERICAL_NOTE_TENSOR_CORE && s.type == CUDNN_DATA_FLOAT && !s.allow_tf32) return false;
  }
  return true;
}

std::mutex g_plans_mutex;
std::map<std::vector<int64_t>, std::shared_ptr<const ConvolutionPlan>>& plans() {
  static auto* known = new std::map<std::vector<int64_t>, std::shared_ptr<const ConvolutionPlan>>();
  return *known;
}

}  // namespace

std::vector<int64_t> ConvolutionSignature::key() const {
  std::vector<int64_t> k{transposed, static_cast<int64_t>(type), allow_tf32, device, alignment};
  for (const auto* v : {&x_dims, &x_strides, &w_dims, &w_strides, &y_dims, &y_strides, &padding, &stride, &dilation}) {
    k.push_back(static_cast<int64_t>(v->size()));
    k.insert(k.end(), v->begin(), v->end());
  }
  return k;
}

ConvolutionPlan::~ConvolutionPlan() {
  if (plan_) (void)Cudnn::get().backend_destroy(plan_);
}

std::shared_ptr<const ConvolutionPlan> ConvolutionPlan::build(cudnnHandle_t handle, const ConvolutionSignature& s) {
  Descriptor x(CUDNN_BACKEND_TENSOR_DESCRIPTOR), w(CUDNN_BACKEND_TENSOR_DESCRIPTOR), y(CUDNN_BACKEND_TENSOR_DESCRIPTOR);
  if (!make_tensor(x, kUidX, s.type, s.x_dims, s.x_strides, s.alignment) ||
      !make_tensor(w, kUidW, s.type, s.w_dims, s.w_strides, s.alignment) ||
      !make_tensor(y, kUidY, s.type, s.y_dims, s.y_strides, s.alignment))
    return nullptr;

  Descriptor conv(CUDNN_BACKEND_CONVOLUTION_DESCRIPTOR);
  const cudnnDataType_t compute = CUDNN_DATA_FLOAT;  // float32 accumulation for every input type, as torch
  const cudnnConvolutionMode_t mode = CUDNN_CROSS_CORRELATION;
  const int64_t spatial = static_cast<int64_t>(s.padding.size());
  conv.set(CUDNN_ATTR_CONVOLUTION_COMP_TYPE, CUDNN_TYPE_DATA_TYPE, &compute);
  conv.set(CUDNN_ATTR_CONVOLUTION_CONV_MODE, CUDNN_TYPE_CONVOLUTION_MODE, &mode);
  conv.set(CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS, CUDNN_TYPE_INT64, &spatial);
  conv.set_ints(CUDNN_ATTR_CONVOLUTION_DILATIONS, s.dilation);
  conv.set_ints(CUDNN_ATTR_CONVOLUTION_FILTER_STRIDES, s.stride);
  conv.set_ints(CUDNN_ATTR_CONVOLUTION_PRE_PADDINGS, s.padding);
  conv.set_ints(CUDNN_ATTR_CONVOLUTION_POST_PADDINGS, s.padding);
  if (!conv.finalize()) return nullptr;

  const float alpha = 1.0f, beta = 0.0f;
  cudnnBackendDescriptor_t xd = x.get(), wd = w.get(), yd = y.get(), cd = conv.get();
  Descriptor op(s.transposed ? CUDNN_BACKEND_OPERATION_CONVOLUTION_BACKWARD_DATA_DESCRIPTOR
                             : CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR);
  if (!s.transposed) {
    op.set(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X, CUDNN_TYPE_BACKEND_DESCRIPTOR, &xd);
    op.set(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_W, CUDNN_TYPE_BACKEND_DESCRIPTOR, &wd);
    op.set(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_Y, CUDNN_TYPE_BACKEND_DESCRIPTOR, &yd);
    op.set(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_CONV_DESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, &cd);
    op.set(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA, CUDNN_TYPE_FLOAT, &alpha);
    op.set(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_BETA, CUDNN_TYPE_FLOAT, &beta);
  } else {
    op.set(CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_DATA_DY, CUDNN_TYPE_BACKEND_DESCRIPTOR, &xd);
    op.set(CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_DATA_W, CUDNN_TYPE_BACKEND_DESCRIPTOR, &wd);
    op.set(CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_DATA_DX, CUDNN_TYPE_BACKEND_DESCRIPTOR, &yd);
    op.set(CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_DATA_CONV_DESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, &cd);
    op.set(CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_DATA_ALPHA, CUDNN_TYPE_FLOAT, &alpha);
    op.set(CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_DATA_BETA, CUDNN_TYPE_FLOAT, &beta);
  }
  if (!op.finalize()) return nullptr;

  Descriptor graph(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR);
  cudnnBackendDescriptor_t opd = op.get();
  graph.set(CUDNN_ATTR_OPERATIONGRAPH_OPS, CUDNN_TYPE_BACKEND_DESCRIPTOR, &opd);
  graph.set(CUDNN_ATTR_OPERATIONGRAPH_HANDLE, CUDNN_TYPE_HANDLE, &handle);
  if (!graph.finalize()) return nullptr;

  Descriptor heuristics(CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR);
  cudnnBackendDescriptor_t gd = graph.get();
  const cudnnBackendHeurMode_t heur_mode = CUDNN_HEUR_MODE_A;
  heuristics.set(CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH, CUDNN_TYPE_BACKEND_DESCRIPTOR, &gd);
  heuristics.set(CUDNN_ATTR_ENGINEHEUR_MODE, CUDNN_TYPE_HEUR_MODE, &heur_mode);
  if (!heuristics.finalize()) return nullptr;
  constexpr int kMaxConfigs = 16;
  std::vector<std::unique_ptr<Descriptor>> configs;
  cudnnBackendDescriptor_t config_values[kMaxConfigs];
  for (int i = 0; i < kMaxConfigs; ++i) {
    configs.push_back(std::make_unique<Descriptor>(CUDNN_BACKEND_ENGINECFG_DESCRIPTOR));
    config_values[i] = configs.back()->get();
    if (config_values[i] == nullptr) return nullptr;
  }
  int64_t found = 0;
  if (Cudnn::get().backend_get(heuristics.get(), CUDNN_ATTR_ENGINEHEUR_RESULTS, CUDNN_TYPE_BACKEND_DESCRIPTOR,
                               kMaxConfigs, &found, config_values) != CUDNN_STATUS_SUCCESS)
    return nullptr;
  for (int64_t i = 0; i < found && i < kMaxConfigs; ++i) {
    if (!acceptable(config_values[i], s)) continue;
    Descriptor plan(CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR);
    plan.set(CUDNN_ATTR_EXECUTION_PLAN_HANDLE, CUDNN_TYPE_HANDLE, &handle);
    plan.set(CUDNN_ATTR_EXECUTION_PLAN_ENGINE_CONFIG, CUDNN_TYPE_BACKEND_DESCRIPTOR, &config_values[i]);
    if (!plan.finalize()) continue;
    int64_t workspace = 0, count = 0;
    if (Cudnn::get().backend_get(plan.get(), CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE, CUDNN_TYPE_INT64, 1, &count,
                                 &workspace) != CUDNN_STATUS_SUCCESS)
      continue;
    std::shared_ptr<ConvolutionPlan> result(new ConvolutionPlan());
    result->plan_ = plan.release();
    result->workspace_bytes_ = workspace;
    return result;
  }
  return nullptr;
}

std::shared_ptr<const ConvolutionPlan> ConvolutionPlan::find(cudnnHandle_t handle, const ConvolutionSignature& s) {
  const std::vector<int64_t> key = s.key();
  {
    std::lock_guard lock(g_plans_mutex);
    if (auto it = plans().find(key); it != plans().end()) return it->second;
  }
  // Built outside the lock (milliseconds); a racing thread may build the same plan, harmlessly.
  std::shared_ptr<const ConvolutionPlan> plan = build(handle, s);
  std::lock_guard lock(g_plans_mutex);
  return plans().emplace(key, std::move(plan)).first->second;
}

void ConvolutionPlan::refuse(const ConvolutionSignature& s) {
  std::lock_guard lock(g_plans_mutex);
  plans()[s.key()] = nullptr;
}

cudnnStatus_t ConvolutionPlan::execute(cudnnHandle_t handle, const void* x, const void* w, void* y,
                                       void* workspace) const {
  Descriptor pack(CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR);
  const int64_t uids[3] = {kUidX, kUidW, kUidY};
  void* pointers[3] = {const_cast<void*>(x), const_cast<void*>(w), y};
  pack.set(CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS, CUDNN_TYPE_INT64, uids, 3);
  pack.set(CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS, CUDNN_TYPE_VOID_PTR, pointers, 3);
  pack.set(CUDNN_ATTR_VARIANT_PACK_WORKSPACE, CUDNN_TYPE_VOID_PTR, &workspace);
  if (!pack.finalize()) return CUDNN_STATUS_BAD_PARAM;
  return Cudnn::get().backend_execute(handle, plan_, pack.get());
}

}  // namespace pt2run::cuda
