// Compiles pt2run's own shim declarations in the same translation unit as the installed
// torch's shim headers: a function declared with a different signature is a "conflicting
// declaration" build error. The test body checks the enum numbering against c10's. With the
// CUDA backend built, the CUDA shim (shim.h's USE_CUDA part, c_shim_cuda.h) is checked too.

#ifdef PT2RUN_CHECK_CUDA_SHIM
#define USE_CUDA  // torch's shim.h declares its CUDA guard and stream functions only then
#endif
#include <torch/csrc/inductor/aoti_torch/c/shim.h>
#include <torch/csrc/inductor/aoti_torch/c/shim_cpu.h>
#include <torch/csrc/inductor/aoti_torch/generated/c_shim_aten.h>
#include <torch/csrc/inductor/aoti_torch/generated/c_shim_cpu.h>
#include <torch/headeronly/core/DeviceType.h>
#include <torch/headeronly/core/Layout.h>
#include <torch/headeronly/core/MemoryFormat.h>
#include <torch/headeronly/core/ScalarType.h>

#include "shim/aoti_shim.h"
#ifdef PT2RUN_CHECK_CUDA_SHIM
#include <torch/csrc/inductor/aoti_torch/generated/c_shim_cuda.h>

#include "shim/aoti_shim_cuda.h"
#endif

#include <gtest/gtest.h>

#include "pt2run/dtype.h"

namespace {

static_assert(static_cast<int>(c10::ScalarType::Float) == pt2run::dtype_code(pt2run::DType::Float32));
static_assert(static_cast<int>(c10::ScalarType::BFloat16) == pt2run::dtype_code(pt2run::DType::BFloat16));
static_assert(static_cast<int>(c10::ScalarType::Float8_e4m3fnuz) ==
              pt2run::dtype_code(pt2run::DType::Float8_e4m3fnuz));
static_assert(static_cast<int>(c10::ScalarType::UInt64) == pt2run::dtype_code(pt2run::DType::UInt64));
static_assert(static_cast<int>(c10::ScalarType::Float8_e8m0fnu) ==
              pt2run::dtype_code(pt2run::DType::Float8_e8m0fnu));
static_assert(static_cast<int>(c10::ScalarType::Float4_e2m1fn_x2) ==
              pt2run::dtype_code(pt2run::DType::Float4_e2m1fn_x2));

TEST(Abi, EnumGettersMatchC10) {
  EXPECT_EQ(aoti_torch_dtype_float16(), static_cast<int32_t>(c10::ScalarType::Half));
  EXPECT_EQ(aoti_torch_dtype_complex128(), static_cast<int32_t>(c10::ScalarType::ComplexDouble));
  EXPECT_EQ(aoti_torch_device_type_cuda(), static_cast<int32_t>(c10::DeviceType::CUDA));
  EXPECT_EQ(aoti_torch_layout__mkldnn(), static_cast<int32_t>(c10::Layout::Mkldnn));
  EXPECT_EQ(aoti_torch_memory_format_channels_last(),
            static_cast<int32_t>(c10::MemoryFormat::ChannelsLast));
}

}  // namespace
