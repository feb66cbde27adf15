// The shim as generated code calls it: handles in, error codes out, nothing thrown.

#include <gtest/gtest.h>

#include <array>
#include <thread>

#include "shim/aoti_shim.h"
#include "shim/input_handles.h"
#include "shim/shim_guard.h"
#include "pt2run/profile.h"

namespace {

using pt2run::DType;

struct Handle {
  AtenTensorHandle h = nullptr;
  ~Handle() { aoti_torch_delete_tensor_object(h); }
};

Handle empty(std::vector<int64_t> sizes, std::vector<int64_t> strides, int32_t dtype) {
  Handle t;
  EXPECT_EQ(aoti_torch_empty_strided(static_cast<int64_t>(sizes.size()), sizes.data(), strides.data(),
                                     dtype, aoti_torch_device_type_cpu(), 0, &t.h),
            0);
  return t;
}

// The profile counts calls (failed ones too) only while on, from every thread, until reset.
TEST(ShimProfile, CountsCallsOnlyWhileOn) {
  auto calls_of = [](const std::string& function) -> std::uint64_t {
    for (const auto& p : pt2run::shim_profile())
      if (p.function == function) return p.calls;
    return 0;
  };
  pt2run::reset_shim_profile();
  { Handle off = empty({4}, {1}, 6); }
  EXPECT_EQ(calls_of("aoti_torch_empty_strided"), 0u);
  pt2run::set_shim_profiling(true);
  { Handle a = empty({4}, {1}, 6); }
  std::thread other([] { Handle b = empty({8}, {1}, 6); });
  other.join();
  AtenTensorHandle out = nullptr;
  int64_t negative[] = {-1}, stride[] = {1};
  EXPECT_EQ(aoti_torch_empty_strided(1, negative, stride, 6, 0, 0, &out), 1);
  pt2run::set_shim_profiling(false);
  { Handle after = empty({4}, {1}, 6); }
  EXPECT_EQ(calls_of("aoti_torch_empty_strided"), 3u);
  EXPECT_EQ(calls_of("aoti_torch_delete_tensor_object"), 2u);
  for (const auto& p : pt2run::shim_profile()) EXPECT_GE(p.total_ms, 0.0) << p.function;
  pt2run::reset_shim_profile();
  EXPECT_EQ(calls_of("aoti_torch_empty_strided"), 0u);
}

TEST(Shim, EnumValuesAreC10s) {
  EXPECT_EQ(aoti_torch_dtype_float32(), 6);
  EXPECT_EQ(aoti_torch_dtype_bfloat16(), 15);
  EXPECT_EQ(aoti_torch_dtype_uint64(), 29);
  EXPECT_EQ(aoti_torch_dtype_float8_e8m0fnu(), 44);
  EXPECT_EQ(aoti_torch_device_type_cuda(), 1);
  EXPECT_EQ(aoti_torch_layout__mkldnn(), 3);
  EXPECT_EQ(aoti_torch_memory_format_channels_last(), 2);
  EXPECT_EQ(aoti_torch_dtype_element_size(aoti_torch_dtype_complex64()), 8u);
  EXPECT_EQ(aoti_torch_dtype_element_size(12), 0u);
}

TEST(Shim, PropertiesOfEmptyStrided) {
  Handle t = empty({2, 3}, {1, 2}, aoti_torch_dtype_float32());
  int64_t* sizes = nullptr;
  int64_t* strides = nullptr;
  ASSERT_EQ(aoti_torch_get_sizes(t.h, &sizes), 0);
  ASSERT_EQ(aoti_torch_get_strides(t.h, &strides), 0);
  EXPECT_EQ(sizes[0], 2);
  EXPECT_EQ(strides[1], 2);
  int64_t value = 0;
  aoti_torch_get_storage_size(t.h, &value);
  EXPECT_EQ(value, 24);
  aoti_torch_get_numel(t.h, &value);
  EXPECT_EQ(value, 6);
  aoti_torch_get_dim(t.h, &value);
  EXPECT_EQ(value, 2);
  aoti_torch_get_size(t.h, -1, &value);
  EXPECT_EQ(value, 3);
  int32_t code = -1;
  aoti_torch_get_dtype(t.h, &code);
  EXPECT_EQ(code, 6);
  aoti_torch_get_device_index(t.h, &code);
  EXPECT_EQ(code, -1);
  bool flag = true;
  aoti_torch_is_contiguous(t.h, &flag);
  EXPECT_FALSE(flag);
}

// A run's report names the first failure: generated code does not check every call, so the
// last message may only be a consequence of it.
TEST(Shim, TheFirstErrorSinceClearIsKept) {
  pt2run::shim::clear_last_error();
  AtenTensorHandle out = nullptr;
  int64_t sizes[] = {-4};
  int64_t strides[] = {1};
  EXPECT_EQ(aoti_torch_empty_strided(1, sizes, strides, 6, 0, 0, &out), 1);
  EXPECT_EQ(aoti_torch_get_sizes(nullptr, nullptr), 1);
  EXPECT_NE(pt2run::shim::first_error().find("negative size"), std::string::npos) << pt2run::shim::first_error();
  EXPECT_EQ(pt2run::shim::last_error().find("negative size"), std::string::npos) << pt2run::shim::last_error();
  pt2run::shim::clear_last_error();
  EXPECT_TRUE(pt2run::shim::first_error().empty());
}

TEST(Shim, ErrorsAreCodesWithAMessage) {
  AtenTensorHandle out = nullptr;
  int64_t sizes[] = {-4};
  int64_t strides[] = {1};
  EXPECT_EQ(aoti_torch_empty_strided(1, sizes, strides, 6, 0, 0, &out), 1);
  EXPECT_EQ(out, nullptr);
  EXPECT_NE(pt2run::shim::last_error().find("negative size"), std::string::npos);
  EXPECT_EQ(aoti_torch_get_sizes(nullptr, nullptr), 1);
  EXPECT_EQ(aoti_torch_empty_strided(1, sizes, strides, 12 /* QInt8 */, 0, 0, &out), 1);
  int64_t ok[] = {4};
  EXPECT_EQ(aoti_torch_empty_strided(1, ok, strides, 6, 1 /* CUDA */, 0, &out), 1);
  EXPECT_EQ(aoti_torch_delete_tensor_object(nullptr), 0);
}

TEST(Shim, ReinterpretAddsToTheOffset) {
  Handle base = empty({16}, {1}, 6);
  void* base_ptr = nullptr;
  aoti_torch_get_data_ptr(base.h, &base_ptr);
  int64_t sizes[] = {2, 2};
  int64_t strides[] = {4, 1};
  Handle view, view2;
  ASSERT_EQ(aoti_torch__reinterpret_tensor(base.h, 2, sizes, strides, 4, &view.h), 0);
  ASSERT_EQ(aoti_torch__reinterpret_tensor(view.h, 2, sizes, strides, 2, &view2.h), 0);
  int64_t offset = 0;
  aoti_torch_get_storage_offset(view2.h, &offset);
  EXPECT_EQ(offset, 6);
  void* p = nullptr;
  aoti_torch_get_data_ptr(view2.h, &p);
  EXPECT_EQ(static_cast<char*>(p) - static_cast<char*>(base_ptr), 24);
  // Past the storage: an error, not a wild view.
  Handle bad;
  EXPECT_EQ(aoti_torch__reinterpret_tensor(base.h, 2, sizes, strides, 12, &bad.h), 1);
}

TEST(Shim, FromBlobDoesNotOwn) {
  std::array<float, 6> data{1, 2, 3, 4, 5, 6};
  int64_t sizes[] = {2, 2};
  int64_t strides[] = {2, 1};
  Handle t;
  ASSERT_EQ(aoti_torch_create_tensor_from_blob_v2(data.data(), 2, sizes, strides, 2, 6, 0, 0, &t.h, 0,
                                                  nullptr, 0),
            0);
  float value = 0;
  ASSERT_EQ(aoti_torch_item_float32(t.h, &value), 1);  // 4 elements: not a scalar
  void* p = nullptr;
  aoti_torch_get_data_ptr(t.h, &p);
  EXPECT_EQ(p, data.data() + 2);
  Handle mkldnn;
  EXPECT_EQ(aoti_torch_create_tensor_from_blob_v2(data.data(), 2, sizes, strides, 0, 6, 0, 0,
                                                  &mkldnn.h, 3, nullptr, 0),
            1);
  // A Mkldnn constant without the descriptor that says its layout.
  EXPECT_NE(pt2run::shim::last_error().find("opaque metadata"), std::string::npos) << pt2run::shim::last_error();
  EXPECT_EQ(aoti_torch_create_tensor_from_blob_v2(data.data(), 2, sizes, strides, 0, 6, 0, 0,
                                                  &mkldnn.h, 1, nullptr, 0),
            1);
  EXPECT_NE(pt2run::shim::last_error().find("layout 1"), std::string::npos) << pt2run::shim::last_error();
}

TEST(Shim, NewHandleSharesStorage) {
  Handle a = empty({4}, {1}, 3);
  Handle b;
  ASSERT_EQ(aoti_torch_new_tensor_handle(a.h, &b.h), 0);
  void *pa = nullptr, *pb = nullptr;
  aoti_torch_get_data_ptr(a.h, &pa);
  aoti_torch_get_data_ptr(b.h, &pb);
  EXPECT_EQ(pa, pb);
  Handle c;
  ASSERT_EQ(aoti_torch_assign_tensors_out(a.h, &c.h), 0);
  aoti_torch_get_data_ptr(c.h, &pb);
  EXPECT_EQ(pa, pb);
}

TEST(Shim, CloneCopyZeroAndScalars) {
  Handle s;
  ASSERT_EQ(aoti_torch_scalar_to_tensor_float32(2.5f, &s.h), 0);
  double d = 0;
  ASSERT_EQ(aoti_torch_item_float64(s.h, &d), 0);
  EXPECT_EQ(d, 2.5);
  int64_t i = 0;
  ASSERT_EQ(aoti_torch_item_int64(s.h, &i), 0);
  EXPECT_EQ(i, 2);
  bool b = false;
  ASSERT_EQ(aoti_torch_item_bool(s.h, &b), 0);
  EXPECT_TRUE(b);

  Handle t = empty({2, 3}, {3, 1}, 6);
  Handle one;
  aoti_torch_scalar_to_tensor_float32(1.f, &one.h);
  ASSERT_EQ(aoti_torch_copy_(t.h, one.h, 0), 0);  // broadcast a scalar
  Handle copy;
  ASSERT_EQ(aoti_torch_clone(t.h, &copy.h), 0);
  ASSERT_EQ(aoti_torch_zero_(t.h), 0);
  float* pc = nullptr;
  aoti_torch_get_data_ptr(copy.h, reinterpret_cast<void**>(&pc));
  float* pt = nullptr;
  aoti_torch_get_data_ptr(t.h, reinterpret_cast<void**>(&pt));
  for (int k = 0; k < 6; ++k) {
    EXPECT_EQ(pc[k], 1.f);
    EXPECT_EQ(pt[k], 0.f);
  }
  // clone_preserve_strides keeps a gapped layout.
  int64_t sizes[] = {2};
  int64_t strides[] = {3};
  Handle gapped, kept;
  aoti_torch__reinterpret_tensor(copy.h, 1, sizes, strides, 0, &gapped.h);
  ASSERT_EQ(aoti_torch_clone_preserve_strides(gapped.h, &kept.h), 0);
  int64_t* kept_strides = nullptr;
  aoti_torch_get_strides(kept.h, &kept_strides);
  EXPECT_EQ(kept_strides[0], 3);
}

TEST(Shim, CheckThrowsAndGradModeIsThreadLocal) {
  EXPECT_NO_THROW(aoti_torch_check(true, "f", "file", 1, "ok"));
  EXPECT_THROW(aoti_torch_check(false, "f", "file", 1, "boom"), std::runtime_error);
  EXPECT_TRUE(aoti_torch_grad_mode_is_enabled());
  aoti_torch_grad_mode_set_enabled(false);
  EXPECT_FALSE(aoti_torch_grad_mode_is_enabled());
  aoti_torch_grad_mode_set_enabled(true);
}

TEST(Shim, UnclaimedInputHandlesAreFreedOnce) {
  std::vector<AtenTensorHandle> inputs;
  AtenTensorHandle a = nullptr, b = nullptr;
  int64_t sizes[] = {2};
  int64_t strides[] = {1};
  aoti_torch_empty_strided(1, sizes, strides, 6, 0, 0, &a);
  aoti_torch_empty_strided(1, sizes, strides, 6, 0, 0, &b);
  inputs = {a, b};
  {
    pt2run::shim::InputHandleScope scope(inputs);
    EXPECT_EQ(aoti_torch_delete_tensor_object(a), 0);  // the "model" took a, not b
  }
  EXPECT_TRUE(inputs.empty());  // b was freed by the scope (ASan would flag a leak or double free)
}

TEST(Shim, ViewDtypeAndAllocFromPool) {
  Handle pool = empty({64}, {1}, aoti_torch_dtype_uint8());
  int64_t sizes[] = {4};
  int64_t strides[] = {1};
  Handle f;
  ASSERT_EQ(aoti_torch__alloc_from_pool(pool.h, 16, aoti_torch_dtype_float32(), 1, sizes, strides, &f.h), 0);
  int64_t offset = 0;
  aoti_torch_get_storage_offset(f.h, &offset);
  EXPECT_EQ(offset, 4);
  Handle bad;
  EXPECT_EQ(aoti_torch__alloc_from_pool(pool.h, 3, aoti_torch_dtype_float32(), 1, sizes, strides, &bad.h), 1);
  Handle bytes;
  ASSERT_EQ(aoti_torch_view_dtype(f.h, aoti_torch_dtype_uint8(), &bytes.h), 0);
  int64_t* view_sizes = nullptr;
  aoti_torch_get_sizes(bytes.h, &view_sizes);
  EXPECT_EQ(view_sizes[0], 16);
}

}  // namespace
