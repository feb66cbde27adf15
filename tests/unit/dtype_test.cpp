#include <gtest/gtest.h>

#include "core/host_cpu.h"
#include "package/host_compat.h"
#include "pt2run/device.h"
#include "pt2run/dtype.h"
#include "pt2run/error.h"

namespace pt2run {
namespace {

TEST(DType, CodesAndSizes) {
  EXPECT_EQ(dtype_code(DType::Float32), 6);
  EXPECT_EQ(dtype_code(DType::BFloat16), 15);
  EXPECT_EQ(element_size(DType::Complex128), 16u);
  EXPECT_EQ(element_size(DType::Float8_e4m3fn), 1u);
  EXPECT_EQ(dtype_from_code(27), DType::UInt16);
  EXPECT_EQ(dtype_from_code(12), std::nullopt);  // QInt8
  EXPECT_EQ(dtype_from_name("torch.bfloat16"), DType::BFloat16);
  EXPECT_EQ(dtype_name(DType::Float8_e5m2fnuz), "float8_e5m2fnuz");
  EXPECT_TRUE(is_floating_point(DType::Float16));
  EXPECT_FALSE(is_floating_point(DType::Int64));
}

TEST(Device, Parse) {
  EXPECT_EQ(Device::parse("cpu"), Device::cpu());
  EXPECT_EQ(Device::parse("cuda:3"), Device::cuda(3));
  EXPECT_EQ(Device::parse("cuda:3").str(), "cuda:3");
  EXPECT_THROW(Device::parse("tpu"), Error);
  EXPECT_THROW(Device::parse("cuda:x"), Error);
  EXPECT_THROW(Device::parse("cuda:-1"), Error);
}

TEST(HostCompat, ReasonsNameBothSides) {
  auto reasons = detail::host_incompatibilities(
      {{"AOTI_PLATFORM", "win32"}, {"AOTI_MACHINE", "riscv64"}, {"AOTI_CPU_ISA", "MADE_UP_ISA"}});
  ASSERT_EQ(reasons.size(), 3u);
  EXPECT_NE(reasons[0].find("win32"), std::string::npos);
  EXPECT_NE(reasons[0].find(detail::host_platform()), std::string::npos);
  EXPECT_NE(reasons[1].find("riscv64"), std::string::npos);
  EXPECT_NE(reasons[2].find("MADE_UP_ISA"), std::string::npos);
  EXPECT_TRUE(detail::host_incompatibilities({{"AOTI_PLATFORM", detail::host_platform()},
                                              {"AOTI_MACHINE", detail::host_machine()}})
                  .empty());
}

TEST(Error, CarriesCodeAndPrefix) {
  Error e(ErrorCode::NotFound, "thing");
  EXPECT_EQ(std::string(e.what()), "pt2run: thing");
  EXPECT_EQ(e.message(), "thing");
  EXPECT_EQ(error_code_name(e.code()), "NotFound");
}

}  // namespace
}  // namespace pt2run
