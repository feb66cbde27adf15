// Where a launch-bound CUDA run spends its time, with the shim implementation as the only
// variable: one source, built against pt2run (bench/CMakeLists.txt) and against libtorch
// (bench/libtorch/CMakeLists.txt, -DHOST_OVERHEAD_LIBTORCH). It drives a model library through
// its C container interface directly (no runner, no package loader), so both builds run the same
// generated code on the same stream and differ only in the aoti_torch_* functions it calls.
//
// Usage: host_overhead MODEL_SO CUBIN_DIR RUNS SHAPE [SHAPE...]   (SHAPE as aoti_baseline's)
// Prints one JSON object: per run, the host time to enqueue it (inputs wrapped, container run,
// outputs deleted), the GPU time between events around it, the wall time to its outputs; and the
// host cost of the shim calls a CUDA model's generated code makes on every run.

#include <cuda_runtime_api.h>
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#ifdef HOST_OVERHEAD_LIBTORCH
#include <c10/core/InferenceMode.h>
#endif

// The few C ABI functions used here (aoti-abi.md §1 and §3), declared for both builds.
extern "C" {
struct AtenTensorOpaque;
using AtenTensorHandle = AtenTensorOpaque*;
using Error = int32_t;
int32_t aoti_torch_device_type_cuda();
int32_t aoti_torch_dtype_float32();
int32_t aoti_torch_dtype_int64();
Error aoti_torch_empty_strided(int64_t, const int64_t*, const int64_t*, int32_t, int32_t, int32_t,
                               AtenTensorHandle*);
Error aoti_torch_create_tensor_from_blob(void*, int64_t, const int64_t*, const int64_t*, int64_t, int32_t,
                                         int32_t, int32_t, AtenTensorHandle*);
Error aoti_torch_delete_tensor_object(AtenTensorHandle);
Error aoti_torch_get_data_ptr(AtenTensorHandle, void**);
Error aoti_torch_create_cuda_guard(int32_t, void**);
Error aoti_torch_delete_cuda_guard(void*);
Error aoti_torch_create_cuda_stream_guard(void*, int32_t, void**);
Error aoti_torch_delete_cuda_stream_guard(void*);
Error aoti_torch_get_current_cuda_stream(int32_t, void**);
Error aoti_torch__reinterpret_tensor(AtenTensorHandle, int64_t, const int64_t*, const int64_t*, int64_t,
                                     AtenTensorHandle*);
Error aoti_torch_cuda_mm_out(AtenTensorHandle, AtenTensorHandle, AtenTensorHandle);
Error aoti_torch_cuda_addmm_out(AtenTensorHandle, AtenTensorHandle, AtenTensorHandle, AtenTensorHandle, double,
                                double);
}

namespace {

using Clock = std::chrono::steady_clock;
using CreateFn = int32_t (*)(void**, size_t, const char*, const char*);
using RunFn = int32_t (*)(void*, AtenTensorHandle*, size_t, AtenTensorHandle*, size_t, void*, void*);
using CountFn = int32_t (*)(void*, size_t*);

#define CHECK(cond, what)                                 \
  do {                                                    \
    if (!(cond)) {                                        \
      std::fprintf(stderr, "host_overhead: %s\n", what);  \
      std::exit(1);                                       \
    }                                                     \
  } while (0)

double us_since(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

struct Input {
  std::vector<int64_t> sizes, strides;
  int32_t dtype;
  void* data;
};

Input make_input(const std::string& text) {
  Input in;
  std::string shape = text;
  in.dtype = aoti_torch_dtype_float32();
  std::size_t element = 4;
  if (shape.rfind("int64:", 0) == 0) {
    shape = shape.substr(6);
    in.dtype = aoti_torch_dtype_int64();
    element = 8;
  }
  for (std::size_t pos = 0;;) {
    const std::size_t x = shape.find('x', pos);
    in.sizes.push_back(std::stoll(shape.substr(pos, x == std::string::npos ? std::string::npos : x - pos)));
    if (x == std::string::npos) break;
    pos = x + 1;
  }
  in.strides.assign(in.sizes.size(), 1);
  for (std::size_t d = in.sizes.size(); d-- > 1;) in.strides[d - 1] = in.strides[d] * in.sizes[d];
  std::size_t bytes = element;
  for (int64_t s : in.sizes) bytes *= static_cast<std::size_t>(s);
  CHECK(cudaMalloc(&in.data, bytes) == cudaSuccess, "cudaMalloc of an input failed");
  CHECK(cudaMemset(in.data, 0, bytes) == cudaSuccess, "cudaMemset failed");
  return in;
}

// ns per iteration of body, over enough iterations to last ~0.2 s.
template <class Body>
double ns_per_call(Body body) {
  for (int i = 0; i < 1000; ++i) body();
  const int n = 200000;
  const auto start = Clock::now();
  for (int i = 0; i < n; ++i) body();
  return us_since(start) * 1000.0 / n;
}

}  // namespace

int main(int argc, char** argv) {
  CHECK(argc >= 5, "usage: host_overhead MODEL_SO CUBIN_DIR RUNS SHAPE [SHAPE...]");
#ifdef HOST_OVERHEAD_LIBTORCH
  c10::InferenceMode inference_mode;  // as libtorch's AOTIModelPackageLoader is benchmarked
  const char* runtime = "libtorch";
#else
  const char* runtime = "pt2run";
#endif
  void* library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  CHECK(library != nullptr, dlerror());
  auto create = reinterpret_cast<CreateFn>(dlsym(library, "AOTInductorModelContainerCreateWithDevice"));
  auto run = reinterpret_cast<RunFn>(dlsym(library, "AOTInductorModelContainerRun"));
  auto num_outputs = reinterpret_cast<CountFn>(dlsym(library, "AOTInductorModelContainerGetNumOutputs"));
  CHECK(create && run && num_outputs, "not an AOTInductor model library");
  void* container = nullptr;
  CHECK(create(&container, 1, "cuda", argv[2]) == 0, "creating the container failed");
  size_t outputs_count = 0;
  CHECK(num_outputs(container, &outputs_count) == 0, "GetNumOutputs failed");
  const int runs = std::stoi(argv[3]);
  std::vector<Input> inputs;
  for (int i = 4; i < argc; ++i) inputs.push_back(make_input(argv[i]));

  cudaStream_t stream = nullptr;
  CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking) == cudaSuccess, "no stream");
  cudaEvent_t before, after;
  cudaEventCreate(&before);
  cudaEventCreate(&after);
  const int32_t cuda = aoti_torch_device_type_cuda();
  std::vector<AtenTensorHandle> in_handles(inputs.size()), out_handles(outputs_count);
  auto enqueue = [&] {
    for (std::size_t i = 0; i < inputs.size(); ++i)
      CHECK(aoti_torch_create_tensor_from_blob(inputs[i].data, static_cast<int64_t>(inputs[i].sizes.size()),
                                               inputs[i].sizes.data(), inputs[i].strides.data(), 0,
                                               inputs[i].dtype, cuda, 0, &in_handles[i]) == 0,
            "wrapping an input failed");
    CHECK(run(container, in_handles.data(), in_handles.size(), out_handles.data(), out_handles.size(), stream,
              nullptr) == 0,
          "the container's run failed");
    for (AtenTensorHandle h : out_handles) aoti_torch_delete_tensor_object(h);
  };
  for (int i = 0; i < 200; ++i) enqueue();
  cudaStreamSynchronize(stream);

  std::vector<double> host_us, gpu_us, wall_us;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    cudaEventRecord(before, stream);
    enqueue();
    cudaEventRecord(after, stream);
    host_us.push_back(us_since(start));
    cudaStreamSynchronize(stream);
    wall_us.push_back(us_since(start));
    float ms = 0;
    cudaEventElapsedTime(&ms, before, after);
    gpu_us.push_back(ms * 1000.0);
  }
  // Back to back, not waiting between runs: what a launch-bound model can reach at best.
  const auto pipelined_start = Clock::now();
  for (int i = 0; i < runs; ++i) enqueue();
  cudaStreamSynchronize(stream);
  const double pipelined_us = us_since(pipelined_start) / runs;

  // The shim calls every run of a CUDA model makes, one at a time (enqueue on `stream`).
  void* stream_guard = nullptr;
  aoti_torch_create_cuda_stream_guard(stream, 0, &stream_guard);
  const int64_t sizes[] = {64, 256}, strides[] = {256, 1};
  const double empty_ns = ns_per_call([&] {
    AtenTensorHandle t;
    aoti_torch_empty_strided(2, sizes, strides, aoti_torch_dtype_float32(), cuda, 0, &t);
    aoti_torch_delete_tensor_object(t);
  });
  const double blob_ns = ns_per_call([&] {
    AtenTensorHandle t;
    aoti_torch_create_tensor_from_blob(inputs[0].data, 2, sizes, strides, 0, aoti_torch_dtype_float32(), cuda, 0,
                                       &t);
    aoti_torch_delete_tensor_object(t);
  });
  const double guard_ns = ns_per_call([&] {
    void* g;
    aoti_torch_create_cuda_guard(0, &g);
    aoti_torch_delete_cuda_guard(g);
  });
  const double stream_guard_ns = ns_per_call([&] {
    void* g;
    aoti_torch_create_cuda_stream_guard(stream, 0, &g);
    aoti_torch_delete_cuda_stream_guard(g);
  });
  const double current_stream_ns = ns_per_call([&] {
    void* s;
    aoti_torch_get_current_cuda_stream(0, &s);
  });
  // The mlp's GEMMs: x[3, 16] @ w[64, 16]^T, then + bias[64] (a 1-D bias, beta = alpha = 1).
  auto empty = [&](std::vector<int64_t> sz) {
    std::vector<int64_t> st(sz.size(), 1);
    for (std::size_t d = sz.size(); d-- > 1;) st[d - 1] = st[d] * sz[d];
    AtenTensorHandle t;
    aoti_torch_empty_strided(static_cast<int64_t>(sz.size()), sz.data(), st.data(), aoti_torch_dtype_float32(),
                             cuda, 0, &t);
    return t;
  };
  AtenTensorHandle x = empty({3, 16}), w = empty({64, 16}), bias = empty({64}), y = empty({3, 64}), wt;
  const int64_t wt_sizes[] = {16, 64}, wt_strides[] = {1, 16};
  const double reinterpret_ns = ns_per_call([&] {
    AtenTensorHandle v;
    aoti_torch__reinterpret_tensor(w, 2, wt_sizes, wt_strides, 0, &v);
    aoti_torch_delete_tensor_object(v);
  });
  aoti_torch__reinterpret_tensor(w, 2, wt_sizes, wt_strides, 0, &wt);
  const double mm_ns = ns_per_call([&] { aoti_torch_cuda_mm_out(y, x, wt); });
  const double addmm_ns = ns_per_call([&] { aoti_torch_cuda_addmm_out(y, bias, x, wt, 1.0, 1.0); });
  cudaStreamSynchronize(stream);
  for (AtenTensorHandle t : {x, w, bias, y, wt}) aoti_torch_delete_tensor_object(t);
  aoti_torch_delete_cuda_stream_guard(stream_guard);
  cudaStreamSynchronize(stream);

  std::printf("{\"runtime\": \"%s\", \"runs\": %d, \"host_us_p50\": %.2f, \"gpu_us_p50\": %.2f, "
              "\"wall_us_p50\": %.2f, \"pipelined_us_per_run\": %.2f, \"ns_per_call\": {\"empty_strided+delete\": %.0f, "
              "\"tensor_from_blob+delete\": %.0f, \"cuda_guard create+delete\": %.0f, "
              "\"cuda_stream_guard create+delete\": %.0f, \"get_current_cuda_stream\": %.0f, "
              "\"reinterpret_tensor+delete\": %.0f, \"cuda_mm_out 3x16x64\": %.0f, \"cuda_addmm_out 3x16x64\": %.0f}}\n",
              runtime, runs, median(host_us), median(gpu_us), median(wall_us), pipelined_us, empty_ns, blob_ns,
              guard_ns, stream_guard_ns, current_stream_ns, reinterpret_ns, mm_ns, addmm_ns);
  return 0;
}
