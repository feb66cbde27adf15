// Host staging (core/host_staging.h, shim/host_staged.h) on a fake device over host memory:
// which bytes travel, aliasing, lists, results, failures and graph capture, without a GPU.
// The CUDA twins that use it are checked against eager CUDA on the GPU machine.

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "core/device_backend.h"
#include "core/layout.h"
#include "core/storage.h"
#include "core/tensor_copy.h"
#include "shim/aoti_shim.h"
#include "shim/host_staged.h"
#include "shim/shim_guard.h"

namespace pt2run {
namespace {

// "CUDA" memory that is host memory: copies are host copies, counted per direction.
class FakeDevice final : public detail::DeviceBackend {
 public:
  void* allocate(std::size_t nbytes, int32_t) override {
    return std::aligned_alloc(64, (nbytes + 63) / 64 * 64);
  }
  void deallocate(void* data, int32_t) noexcept override { std::free(data); }
  void copy(const Tensor& dst, const Tensor& src) override {
    if (dst.device().is_cpu() && !src.device().is_cpu()) to_host_bytes += src.nbytes();
    if (!dst.device().is_cpu() && src.device().is_cpu()) to_device_bytes += src.nbytes();
    detail::copy_elements(as_host(dst), as_host(src));
  }
  void fill_zero(void* data, std::size_t nbytes, int32_t) override { std::memset(data, 0, nbytes); }
  int32_t current_device() override { return 0; }
  bool capturing(int32_t) override { return capture; }

  static Tensor as_host(const Tensor& t) {
    if (t.device().is_cpu()) return t;
    return Tensor(detail::wrap_storage(t.storage()->data, t.storage()->nbytes, Device::cpu(), {}),
                  detail::sizes_of(t), {t.strides().begin(), t.strides().end()}, t.storage_offset(),
                  t.dtype());
  }

  std::size_t to_host_bytes = 0, to_device_bytes = 0;
  bool capture = false;
};

class HostStaging : public ::testing::Test {
 protected:
  void SetUp() override { detail::register_device_backend(DeviceType::CUDA, &device_); }
  void TearDown() override { detail::register_device_backend(DeviceType::CUDA, nullptr); }

  Tensor on_device(const std::vector<int64_t>& sizes, std::vector<float> values) {
    Tensor host = Tensor::empty(sizes, DType::Float32);
    std::copy(values.begin(), values.end(), host.data<float>());
    return host.to(Device::cuda(0));
  }
  static std::vector<float> values_of(const Tensor& t) {
    Tensor host = t.to(Device::cpu()).contiguous();
    return {host.data<float>(), host.data<float>() + host.numel()};
  }

  FakeDevice device_;
};

AtenTensorHandle handle(const Tensor& t) {
  return reinterpret_cast<AtenTensorHandle>(new Tensor(t));
}
Tensor take(AtenTensorHandle h) {
  Tensor t = *reinterpret_cast<Tensor*>(h);
  delete reinterpret_cast<Tensor*>(h);
  return t;
}

TEST_F(HostStaging, ResultsComeBackOnTheDevice) {
  Tensor x = on_device({2, 4}, {1, 5, 2, 4, 8, 6, 7, 3});
  AtenTensorHandle hx = handle(x), values = nullptr, indices = nullptr;
  ASSERT_EQ(shim::call_on_host<2>("topk", aoti_torch_cpu_topk, hx, int64_t{2}, int64_t{1}, 1, 1,
                                  &values, &indices),
            kShimSuccess)
      << shim::last_error();
  Tensor v = take(values), i = take(indices);
  EXPECT_EQ(v.device(), Device::cuda(0));
  EXPECT_EQ(i.device(), Device::cuda(0));
  EXPECT_EQ(values_of(v), (std::vector<float>{5, 4, 8, 7}));
  Tensor ih = i.to(Device::cpu());
  EXPECT_EQ(ih.data<int64_t>()[0], 1);
  EXPECT_EQ(ih.data<int64_t>()[3], 2);
  take(hx);
}

TEST_F(HostStaging, AnInPlaceOpOnAViewWritesBackOnlyWhatChanged) {
  Tensor base = on_device({4, 4}, std::vector<float>(16, 7.0f));
  Tensor row = base.as_strided({4}, {1}, 4);     // row 1
  Tensor column = base.as_strided({4}, {4}, 2);  // column 2 shares the staged range
  AtenTensorHandle hr = handle(row), hc = handle(column), out = nullptr;
  device_.to_host_bytes = device_.to_device_bytes = 0;
  ASSERT_EQ(shim::call_on_host<0>("fill_", aoti_torch_cpu_fill__Scalar, hr, 3.0), kShimSuccess);
  EXPECT_EQ(device_.to_host_bytes, 16u);  // only the row's bytes are staged
  // Back goes the span of changed bytes: 7.0f and 3.0f share their two low bytes.
  EXPECT_EQ(device_.to_device_bytes, 13u);
  std::vector<float> expect(16, 7.0f);
  for (int c = 0; c < 4; ++c) expect[4 + c] = 3.0f;
  EXPECT_EQ(values_of(base), expect);
  // Two views of one storage share one host copy: the row and the column see each other.
  device_.to_device_bytes = 0;
  ASSERT_EQ(shim::call_on_host<1>("add", aoti_torch_cpu_add_Tensor, hr, hc, 1.0, &out),
            kShimSuccess)
      << shim::last_error();
  EXPECT_EQ(values_of(take(out)), (std::vector<float>{10, 6, 10, 10}));
  EXPECT_EQ(device_.to_device_bytes, 16u);  // the new result only; the inputs did not change
  take(hr);
  take(hc);
}

TEST_F(HostStaging, ListsAndOptionalListsAreStaged) {
  Tensor a = on_device({2}, {1, 2}), b = on_device({3}, {3, 4, 5});
  AtenTensorHandle list[2] = {handle(a), handle(b)}, out = nullptr;
  ASSERT_EQ(
      shim::call_on_host<1>("cat", aoti_torch_cpu_cat, static_cast<const AtenTensorHandle*>(list),
                            int64_t{2}, int64_t{0}, &out),
      kShimSuccess)
      << shim::last_error();
  EXPECT_EQ(values_of(take(out)), (std::vector<float>{1, 2, 3, 4, 5}));

  Tensor x = on_device({2, 3}, {0, 1, 2, 3, 4, 5});
  Tensor index = Tensor::empty({2}, DType::Int64);
  index.data<int64_t>()[0] = 2;
  index.data<int64_t>()[1] = 0;
  AtenTensorHandle hx = handle(x), hi = handle(index.to(Device::cuda(0)));
  const AtenTensorHandle* indices[2] = {nullptr, &hi};  // x[:, [2, 0]]
  ASSERT_EQ(
      shim::call_on_host<1>("index", aoti_torch_cpu_index_Tensor, hx, indices, int64_t{2}, &out),
      kShimSuccess)
      << shim::last_error();
  Tensor picked = take(out);
  EXPECT_EQ(picked.device(), Device::cuda(0));
  EXPECT_EQ(values_of(picked), (std::vector<float>{2, 0, 5, 3}));
  for (AtenTensorHandle h : {list[0], list[1], hx, hi}) take(h);
}

TEST_F(HostStaging, AResultViewingAnInputIsThatViewOfTheDeviceStorage) {
  Tensor x = on_device({3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  Tensor tail = x.as_strided({2, 4}, {4, 1}, 4);
  AtenTensorHandle ht = handle(tail), out = nullptr;
  ASSERT_EQ(shim::call_on_host<1>("narrow", aoti_torch_cpu_narrow, ht, int64_t{1}, int64_t{1},
                                  int64_t{2}, &out),
            kShimSuccess);
  Tensor view = take(out);
  EXPECT_TRUE(view.shares_storage_with(x));
  EXPECT_EQ(view.storage_offset(), 5);
  EXPECT_EQ(values_of(view), (std::vector<float>{5, 6, 9, 10}));
  take(ht);
}

TEST_F(HostStaging, AHostFailureNamesBothFunctions) {
  AtenTensorHandle hx = handle(on_device({3}, {1, 2, 3})), values = nullptr, indices = nullptr;
  EXPECT_EQ(shim::call_on_host<2>("aoti_torch_cuda_topk", aoti_torch_cpu_topk, hx, int64_t{9},
                                  int64_t{0}, 1, 1, &values, &indices),
            kShimFailure);
  const std::string& message = shim::last_error();
  EXPECT_NE(message.find("aoti_torch_cuda_topk"), std::string::npos) << message;
  EXPECT_NE(message.find("run on host copies"), std::string::npos) << message;
  EXPECT_NE(message.find("aoti_torch_cpu_topk"), std::string::npos) << message;
  EXPECT_EQ(values, nullptr);
  take(hx);
}

TEST_F(HostStaging, AGraphCaptureIsRefusedBeforeAnyCopy) {
  AtenTensorHandle hx = handle(on_device({3}, {1, 2, 3})), out = nullptr;
  device_.capture = true;
  device_.to_host_bytes = 0;
  EXPECT_EQ(shim::call_on_host<1>("aoti_torch_cuda_cumsum", aoti_torch_cpu_cumsum, hx, int64_t{0},
                                  static_cast<int32_t*>(nullptr), &out),
            kShimFailure);
  EXPECT_NE(shim::last_error().find("graph capture"), std::string::npos) << shim::last_error();
  EXPECT_EQ(device_.to_host_bytes, 0u);
  EXPECT_EQ(out, nullptr);
  take(hx);
}

TEST_F(HostStaging, HostTensorsAndNoDeviceTensorsPassThrough) {
  Tensor host = Tensor::empty({3}, DType::Float32);
  for (int i = 0; i < 3; ++i) host.data<float>()[i] = static_cast<float>(i + 1);
  AtenTensorHandle hx = handle(host), out = nullptr;
  ASSERT_EQ(shim::call_on_host<1>("cumsum", aoti_torch_cpu_cumsum, hx, int64_t{0},
                                  static_cast<int32_t*>(nullptr), &out),
            kShimSuccess);
  Tensor sums = take(out);
  EXPECT_TRUE(sums.device().is_cpu());
  EXPECT_EQ(values_of(sums), (std::vector<float>{1, 3, 6}));
  EXPECT_EQ(device_.to_host_bytes, 0u);
  take(hx);
}

TEST_F(HostStaging, ResizeGrowsADeviceTensorInItsOwnMemory) {
  Tensor x = on_device({2}, {4, 5});
  AtenTensorHandle hx = handle(x);
  const int64_t sizes[] = {2, 3};
  ASSERT_EQ(aoti_torch_cpu_resize_(hx, sizes, 2, nullptr), kShimSuccess) << shim::last_error();
  const Tensor& grown = *reinterpret_cast<Tensor*>(hx);
  EXPECT_EQ(grown.device(), Device::cuda(0));
  EXPECT_EQ(grown.numel(), 6);
  EXPECT_EQ(values_of(grown.as_strided({2}, {1}, 0)), (std::vector<float>{4, 5}));
  take(hx);
}

// torch's aten_* fallbacks are device-generic: a CUDA graph calls them with device tensors.
TEST_F(HostStaging, DeviceGenericAtenFallbacksKeepTheDevice) {
  AtenTensorHandle hx = handle(on_device({2, 2}, {1, 2, 3, 4})), padded = nullptr, zeros = nullptr,
                   full = nullptr, diff = nullptr;
  const int64_t pad[] = {1, 0};
  double zero = 0.0;
  ASSERT_EQ(aoti_torch_aten_pad(hx, pad, 2, "constant", &zero, &padded), kShimSuccess)
      << shim::last_error();
  Tensor p = take(padded);
  EXPECT_EQ(p.device(), Device::cuda(0));
  EXPECT_EQ(values_of(p), (std::vector<float>{0, 1, 2, 0, 3, 4}));
  const int64_t sizes[] = {3};
  ASSERT_EQ(aoti_torch_aten_new_zeros(hx, sizes, 1, nullptr, nullptr, nullptr, 0, nullptr, &zeros),
            kShimSuccess);
  EXPECT_EQ(take(zeros).device(), Device::cuda(0));  // new_* default to self's device
  int32_t cuda_type = 1;
  ASSERT_EQ(aoti_torch_aten_full(sizes, 1, 2.5, nullptr, nullptr, &cuda_type, 0, nullptr, &full),
            kShimSuccess);
  Tensor f = take(full);
  EXPECT_EQ(f.device(), Device::cuda(0));
  EXPECT_EQ(values_of(f), (std::vector<float>{2.5, 2.5, 2.5}));
  ASSERT_EQ(aoti_torch_aten_subtract_Tensor(hx, hx, 1.0, &diff), kShimSuccess)
      << shim::last_error();
  EXPECT_EQ(values_of(take(diff)), (std::vector<float>{0, 0, 0, 0}));
  ASSERT_EQ(aoti_torch_aten_fill__Scalar(hx, 7.0), kShimSuccess);
  EXPECT_EQ(values_of(*reinterpret_cast<Tensor*>(hx)), (std::vector<float>{7, 7, 7, 7}));
  take(hx);
}

}  // namespace
}  // namespace pt2run
