// The fallbacks and file-format cases PyTorch's AOTInductor suite found missing or wrong
// (tools/conformance.py), at the semantics the regression corpus does not pin down: view
// rules, indexing layouts, type promotion, windows, profiling regions, zero-element files.
// Expected values are torch 2.13's (computed with torch, noted beside each).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "backends/cpu/advanced_index.h"
#include "backends/cpu/elementwise.h"
#include "backends/cpu/random.h"
#include "core/philox_state.h"
#include "core/views.h"
#include "pt2run/error.h"
#include "pt2run/profile.h"
#include "pt2run/random.h"
#include "pt2run/tensor_file.h"
#include "shim/aoti_shim.h"

namespace pt2run {
namespace {

Tensor arange(std::vector<int64_t> sizes) {
  Tensor t = Tensor::empty(sizes, DType::Float32);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = static_cast<float>(i);
  return t;
}

Tensor longs(std::vector<int64_t> values) {
  Tensor t = Tensor::empty({static_cast<int64_t>(values.size())}, DType::Int64);
  std::copy(values.begin(), values.end(), t.data<int64_t>());
  return t;
}

std::vector<float> values(const Tensor& t) {
  Tensor c = t.to(DType::Float32);
  return {c.data<float>(), c.data<float>() + c.numel()};
}

std::vector<int64_t> strides(const Tensor& t) { return {t.strides().begin(), t.strides().end()}; }

TEST(Views, ReshapeIsAViewWhenTheStridesAllowIt) {
  Tensor x = arange({2, 3, 4});
  // torch: x.permute(2, 0, 1).reshape(4, 6).stride() == (1, 4), a view.
  Tensor v = detail::reshape(detail::permute(x, {2, 0, 1}), {4, -1});
  EXPECT_EQ(strides(v), (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(v.data_ptr(), x.data_ptr());
  // x.transpose(1, 2).reshape(2, 12) cannot be a view: a contiguous copy.
  Tensor c = detail::reshape(detail::transpose(x, 1, 2), {2, 12});
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_NE(c.data_ptr(), x.data_ptr());
  EXPECT_EQ(values(c)[1], 4.0f);
  EXPECT_THROW(detail::reshape(x, {5, -1}), Error);
  EXPECT_THROW(detail::reshape(x, {-1, -1}), Error);
}

TEST(Views, SliceNarrowSqueezeSelect) {
  Tensor x = arange({2, 3, 4});
  Tensor s = detail::slice(detail::slice(x, 1, std::nullopt, std::nullopt, 2), 2, 1, std::nullopt, 1);
  EXPECT_EQ(strides(s), (std::vector<int64_t>{12, 8, 1}));  // x[:, ::2, 1:]
  EXPECT_EQ(s.size(1), 2);
  EXPECT_EQ(values(s)[0], 1.0f);
  EXPECT_EQ(detail::slice(x, -1, -3, 100, 1).size(2), 3);  // bounds clamp, negatives wrap
  EXPECT_EQ(detail::slice(x, 0, 2, 1, 1).size(0), 0);
  EXPECT_THROW(detail::slice(x, 0, 0, 1, 0), Error);
  EXPECT_EQ(values(detail::narrow(x, 2, -2, 2))[0], 2.0f);
  EXPECT_THROW(detail::narrow(x, 2, 3, 2), Error);
  EXPECT_EQ(detail::squeeze_dim(detail::unsqueeze(x, -1), 3).dim(), 3);
  EXPECT_EQ(detail::squeeze_dim(x, 0).dim(), 3);  // size 2: unchanged
  EXPECT_EQ(values(detail::select(x, 1, -1))[0], 8.0f);
  EXPECT_THROW(detail::permute(x, {0, 0, 1}), Error);
}

TEST(Views, ComplexViewsRoundTrip) {
  Tensor x = arange({3, 2});
  Tensor c = detail::view_as_complex(x);
  EXPECT_EQ(c.dtype(), DType::Complex64);
  EXPECT_EQ(c.dim(), 1);
  Tensor back = detail::view_as_real(c);
  EXPECT_EQ(values(back), values(x));
  EXPECT_THROW(detail::view_as_complex(arange({3, 3})), Error);                 // last dim not 2
  EXPECT_THROW(detail::view_as_complex(detail::transpose(arange({2, 2}), 0, 1)), Error);  // stride
  EXPECT_THROW(detail::view_as_complex(Tensor::empty({2}, DType::Int32)), Error);
}

TEST(AdvancedIndex, MasksPositionsAndTorchsLayout) {
  Tensor x = arange({2, 3, 4});
  Tensor mask = Tensor::zeros({2, 3}, DType::Bool);
  for (int i : {0, 2, 5}) mask.data<bool>()[i] = true;
  Tensor rows = cpu::index(x, {&mask});
  EXPECT_EQ(rows.size(0), 3);
  EXPECT_EQ(values(rows)[4], 8.0f);   // x[mask]: rows 0, 2 and 5 of the [6, 4] view
  EXPECT_EQ(values(rows)[8], 20.0f);
  // Index tensors apart: the broadcast dim goes first. x[[1, 0], :, [1, 3]] == [[13, 17, 21], [3, 7, 11]].
  Tensor i0 = longs({1, 0}), i2 = longs({1, 3});
  Tensor apart = cpu::index(x, {&i0, nullptr, &i2});
  EXPECT_EQ(apart.size(0), 2);
  EXPECT_EQ(values(apart), (std::vector<float>{13, 17, 21, 3, 7, 11}));
  // Output strides follow self's dim order: a permuted self indexed on dim 1 gives (6, 3, 1).
  Tensor idx = longs({0, -1});
  Tensor permuted = cpu::index(detail::permute(x, {0, 2, 1}), {nullptr, &idx});
  EXPECT_EQ(strides(permuted), (std::vector<int64_t>{6, 3, 1}));
  Tensor out_of_range = longs({4});
  EXPECT_THROW(cpu::index(x, {nullptr, &out_of_range}), Error);
  Tensor wrong_mask = Tensor::zeros({3}, DType::Bool);
  EXPECT_THROW(cpu::index(x, {&wrong_mask}), Error);
}

TEST(AdvancedIndex, PutAccumulatesRepeatedPositions) {
  Tensor x = arange({2, 3, 4});
  Tensor rows = longs({0, 0}), cols = longs({1, 1});
  Tensor ten = Tensor::empty({}, DType::Float32);
  ten.data<float>()[0] = 10;
  Tensor out = Tensor::empty({2, 3, 4}, DType::Float32);
  cpu::index_put(out, x, {&rows, &cols}, ten, /*accumulate=*/true);
  EXPECT_EQ(values(out)[4], 24.0f);  // x[0, 1] += 10 twice
  EXPECT_EQ(values(out)[0], 0.0f);
  cpu::index_put(x, x, {&rows, &cols}, ten, /*accumulate=*/false);  // in place
  EXPECT_EQ(values(x)[7], 10.0f);
  Tensor too_many = Tensor::empty({3}, DType::Float32);
  EXPECT_THROW(cpu::index_put(x, x, {&rows, &cols}, too_many, false), Error);  // cannot broadcast
}

// torch CUDA's deterministic index_put sums duplicates in its own order, and a float32 sum
// of 1e8 and small values shows the order: 1e8 + 1 rounds back to 1e8 (its spacing is 8).
TEST(AdvancedIndex, AccumulateFollowsTheDevicesOrder) {
  // 40 values onto x[0]: 1e8 at 0, -1e8 at 16, ones elsewhere. CPU, in turn: 1e8 absorbs the
  // 15 ones before -1e8, then 23 ones remain: 23. CUDA (one element per index): lanes 0..31
  // pair 0 with 16 in the shuffle tree (1e8 - 1e8 = 0) and sum the 30 ones exactly; lane 0
  // then adds the 8 left over: 38.
  Tensor v = Tensor::empty({40}, DType::Float32);
  for (int64_t i = 0; i < 40; ++i) v.data<float>()[i] = i == 0 ? 1e8f : i == 16 ? -1e8f : 1.0f;
  Tensor zeros40 = longs(std::vector<int64_t>(40, 0));
  Tensor x = Tensor::zeros({3}, DType::Float32);
  Tensor out = Tensor::empty({3}, DType::Float32);
  cpu::index_put(out, x, {&zeros40}, v, true);
  EXPECT_EQ(values(out)[0], 23.0f);
  cpu::index_put(out, x, {&zeros40}, v, true, cpu::AccumulateOrder::cuda_sorted);
  EXPECT_EQ(values(out)[0], 38.0f);
  EXPECT_EQ(values(out)[1], 0.0f);

  // Two elements per index (a slice of 2): CUDA sums the duplicates from zero, then adds once.
  // x[0, :] = 5, values 1e8, 1, -1e8: CPU 5 + 1e8 -> 1e8 + 8, + 1 -> same, - 1e8 -> 8; CUDA
  // 1e8 + 1 - 1e8 = 0, then 5.
  Tensor y = Tensor::empty({2, 2}, DType::Float32);
  std::fill_n(y.data<float>(), 4, 5.0f);
  Tensor w = Tensor::empty({3, 2}, DType::Float32);
  const float col[] = {1e8f, 1.0f, -1e8f};
  for (int k = 0; k < 6; ++k) w.data<float>()[k] = col[k / 2];
  Tensor zeros3 = longs({0, 0, 0});
  Tensor out2 = Tensor::empty({2, 2}, DType::Float32);
  cpu::index_put(out2, y, {&zeros3}, w, true);
  EXPECT_EQ(values(out2)[0], 8.0f);
  cpu::index_put(out2, y, {&zeros3}, w, true, cpu::AccumulateOrder::cuda_sorted);
  EXPECT_EQ(values(out2)[0], 5.0f);
  EXPECT_EQ(values(out2)[1], 5.0f);
  EXPECT_EQ(values(out2)[2], 5.0f);  // row 1 untouched

  // A duplicate group in the middle of others: each destination sums only its own values, in
  // ascending position, whatever the order of the index tensor.
  Tensor idx = longs({2, 0, 2, 1, 0});
  Tensor v5 = arange({5});  // 0..4
  Tensor z = Tensor::zeros({3}, DType::Float32);
  Tensor out3 = Tensor::empty({3}, DType::Float32);
  cpu::index_put(out3, z, {&idx}, v5, true, cpu::AccumulateOrder::cuda_sorted);
  EXPECT_EQ(values(out3), (std::vector<float>{1 + 4, 3, 0 + 2}));
}

TEST(Elementwise, PromotionAndOutputLayoutAreTorchs) {
  auto t = [](DType d, std::vector<int64_t> sizes = {2}) { return Tensor::zeros(sizes, d); };
  EXPECT_EQ(cpu::promote(t(DType::Int32), t(DType::Float64, {})), DType::Float64);
  EXPECT_EQ(cpu::promote(t(DType::Float32), t(DType::Float64, {})), DType::Float32);
  EXPECT_EQ(cpu::promote(t(DType::Complex64), t(DType::Float64)), DType::Complex128);
  EXPECT_EQ(cpu::promote(t(DType::UInt8), t(DType::Int8)), DType::Int16);
  EXPECT_EQ(cpu::promote(t(DType::Float16), t(DType::BFloat16)), DType::Float32);
  // a = randn(2, 3).t(); b = randn(3, 2): (a + b).stride() == (1, 3), (b + a).stride() == (2, 1).
  Tensor a = detail::transpose(arange({2, 3}), 0, 1), b = arange({3, 2});
  EXPECT_EQ(strides(cpu::add(a, b, 1.0)), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(strides(cpu::add(b, a, 1.0)), (std::vector<int64_t>{2, 1}));
  Tensor c = detail::view_as_complex(arange({2, 2}));  // [0+1j, 2+3j]
  Tensor product = detail::view_as_real(cpu::mul(c, c));  // (0+1j)^2 = -1, (2+3j)^2 = -5+12j
  EXPECT_EQ(values(product), (std::vector<float>{-1, 0, -5, 12}));
  EXPECT_EQ(values(detail::view_as_real(cpu::add_scalar(c, 1.5, 2.0)))[0], 3.0f);
  EXPECT_EQ(cpu::mul_scalar(Tensor::zeros({2}, DType::Int32), 0.5).dtype(), DType::Float32);
  EXPECT_THROW(cpu::add(arange({2, 3}), arange({3, 2}), 1.0), Error);
}

// torch's CUDA generator: manual_seed sets every device's seed and zeroes its offset; each
// op then advances its device's offset by what it reserves (random kernels read both).
TEST(PhiloxState, ManualSeedResetsEveryDevicesOffset) {
  manual_seed(99);
  EXPECT_EQ(detail::reserve_philox(0, 8).offset, 0u);
  EXPECT_EQ(detail::reserve_philox(0, 4).offset, 8u);
  const detail::PhiloxReservation other = detail::reserve_philox(1, 4);
  EXPECT_EQ(other.offset, 0u);
  EXPECT_EQ(other.seed, 99u);
  manual_seed(7);
  const detail::PhiloxReservation fresh = detail::reserve_philox(0, 4);
  EXPECT_EQ(fresh.offset, 0u);
  EXPECT_EQ(fresh.seed, 7u);
  EXPECT_THROW(detail::reserve_philox(0, 6), Error);  // torch's offsets move in fours
}

TEST(RandomOps, BadArgumentsAreRefused) {
  EXPECT_THROW(cpu::normal(Tensor::empty({4}, DType::Int64), 0, 1), Error);
  EXPECT_THROW(cpu::normal(Tensor::empty({4}, DType::Float32), 0, -1), Error);
  EXPECT_THROW(cpu::uniform(Tensor::empty({4}, DType::Float32), 2, 1), Error);
  EXPECT_THROW(cpu::uniform(Tensor::empty({4}, DType::Int32), 0, 1), Error);
  AtenTensorHandle h = nullptr;
  EXPECT_NE(aoti_torch_cpu_randperm(-1, nullptr, nullptr, nullptr, 0, nullptr, &h), 0);
  const int64_t negative[] = {2, -3};
  EXPECT_NE(aoti_torch_cpu_rand(negative, 2, nullptr, nullptr, nullptr, 0, nullptr, &h), 0);
  int32_t cuda = aoti_torch_device_type_cuda();
  const int64_t ok[] = {2};
  EXPECT_NE(aoti_torch_cpu_randn(ok, 1, nullptr, nullptr, &cuda, 0, nullptr, &h), 0);
  // A permutation of 0..n-1.
  ASSERT_EQ(aoti_torch_cpu_randperm(50, nullptr, nullptr, nullptr, 0, nullptr, &h), 0);
  std::vector<int64_t> p(reinterpret_cast<Tensor*>(h)->data<int64_t>(), reinterpret_cast<Tensor*>(h)->data<int64_t>() + 50);
  aoti_torch_delete_tensor_object(h);
  std::sort(p.begin(), p.end());
  for (int64_t i = 0; i < 50; ++i) EXPECT_EQ(p[static_cast<std::size_t>(i)], i);
}

TEST(ShimWindows, HannWindowIsPeriodic) {
  AtenTensorHandle h = nullptr;
  ASSERT_EQ(aoti_torch_cpu_hann_window(5, nullptr, nullptr, nullptr, 0, nullptr, &h), 0);
  const Tensor& w = *reinterpret_cast<Tensor*>(h);
  const std::vector<float> expected{0.0f, 0.3454915f, 0.9045085f, 0.9045085f, 0.3454915f};  // torch.hann_window(5)
  ASSERT_EQ(w.numel(), 5);
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(w.data<float>()[i], expected[static_cast<std::size_t>(i)], 1e-6);
  aoti_torch_delete_tensor_object(h);
  int32_t f64 = aoti_torch_dtype_float64();
  ASSERT_EQ(aoti_torch_cpu_hann_window(1, &f64, nullptr, nullptr, 0, nullptr, &h), 0);
  EXPECT_EQ(reinterpret_cast<Tensor*>(h)->data<double>()[0], 1.0);
  aoti_torch_delete_tensor_object(h);
  int32_t i64 = aoti_torch_dtype_int64();
  EXPECT_NE(aoti_torch_cpu_hann_window(4, &i64, nullptr, nullptr, 0, nullptr, &h), 0);
  EXPECT_NE(aoti_torch_cpu_hann_window(-1, nullptr, nullptr, nullptr, 0, nullptr, &h), 0);
}

TEST(ShimProfile, RegionsAreTimedOnlyWhileProfiling) {
  auto region_calls = [](const std::string& name) -> std::uint64_t {
    for (const auto& r : region_profile())
      if (r.function == name) return r.calls;
    return 0;
  };
  reset_shim_profile();
  AtenRecordFunctionHandle guard = reinterpret_cast<AtenRecordFunctionHandle>(1);
  ASSERT_EQ(aoti_record_function_start("cpp_fused_test", nullptr, nullptr, 0, &guard), 0);
  EXPECT_EQ(guard, nullptr);  // off: nothing allocated
  EXPECT_EQ(aoti_record_function_end(guard), 0);
  set_shim_profiling(true);
  {
    // The name lives in the caller's memory: the profile must keep its own copy.
    std::string name = "cpp_fused_test";
    ASSERT_EQ(aoti_record_function_start(name.c_str(), nullptr, nullptr, 0, &guard), 0);
    ASSERT_NE(guard, nullptr);
    EXPECT_EQ(aoti_record_function_end(guard), 0);
    name.assign(name.size(), 'x');
  }
  set_shim_profiling(false);
  EXPECT_EQ(region_calls("cpp_fused_test"), 1u);
  EXPECT_NE(aoti_record_function_start("x", nullptr, nullptr, 0, nullptr), 0);
  reset_shim_profile();
  EXPECT_EQ(region_calls("cpp_fused_test"), 0u);
}

TEST(TensorFiles, ZeroElementArraysInEveryFormat) {
  for (auto format : {TensorFileFormat::Npy, TensorFileFormat::Npz, TensorFileFormat::Safetensors}) {
    SCOPED_TRACE(static_cast<int>(format));
    NamedTensors in;
    in.emplace_back("a", Tensor::empty({4, 0}, DType::Float32));
    if (format != TensorFileFormat::Npy) {
      in.emplace_back("b", Tensor::empty({0}, DType::Int64));
      in.emplace_back("c", Tensor::empty({0, 3, 2}, DType::Float64));
    }
    const std::string bytes = encode_tensors(in, format);
    NamedTensors out = parse_tensors(std::as_bytes(std::span(bytes.data(), bytes.size())), format, "zero-element file");
    ASSERT_EQ(out.size(), in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
      EXPECT_EQ(out[i].second.dtype(), in[i].second.dtype());
      EXPECT_EQ(std::vector<int64_t>(out[i].second.sizes().begin(), out[i].second.sizes().end()),
                std::vector<int64_t>(in[i].second.sizes().begin(), in[i].second.sizes().end()));
    }
  }
  // A zero-element shape with data behind it is still malformed.
  std::string npy = encode_tensors({{"a", Tensor::empty({4, 0}, DType::Float32)}}, TensorFileFormat::Npy);
  npy.append(4, '\0');
  EXPECT_THROW(parse_tensors(std::as_bytes(std::span(npy.data(), npy.size())), TensorFileFormat::Npy, "padded file"),
               Error);
}

}  // namespace
}  // namespace pt2run
