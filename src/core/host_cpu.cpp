#include "core/host_cpu.h"

#include <sched.h>
#include <sys/utsname.h>

#include <fstream>
#include <set>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace pt2run::detail {

std::string host_machine() {
  struct utsname name {};
  if (uname(&name) != 0) return "unknown";
  return name.machine;
}

int host_physical_cores() {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (sched_getaffinity(0, sizeof(mask), &mask) != 0) return 1;
  // A core is the set of its hardware threads (thread_siblings_list); where sysfs does not say,
  // each allowed CPU counts as one.
  std::set<std::string> cores;
  int unknown = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &mask)) continue;
    std::ifstream f("/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/thread_siblings_list");
    std::string siblings;
    if (f && std::getline(f, siblings) && !siblings.empty()) cores.insert(siblings);
    else ++unknown;
  }
  const int n = static_cast<int>(cores.size()) + unknown;
  return n > 0 ? n : 1;
}

std::string host_platform() {
#if defined(__linux__)
  return "linux";
#else
  return "unknown";
#endif
}

#if defined(__x86_64__)
namespace {

struct X86Features {
  bool fma = false, avx2 = false, avx512f = false, avx512dq = false, avx512bw = false,
       avx512vl = false, avx512_vnni = false, avx512_bf16 = false, avx512_fp16 = false,
       amx_tile = false, amx_bf16 = false, amx_int8 = false, amx_fp16 = false;
};

X86Features detect() {
  X86Features f;
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  const bool osxsave = c & (1u << 27);
  const bool has_fma = c & (1u << 12);
  unsigned long long xcr0 = 0;
  if (osxsave) {
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    xcr0 = (static_cast<unsigned long long>(hi) << 32) | lo;
  }
  const bool os_avx = (xcr0 & 0x6) == 0x6;
  const bool os_avx512 = os_avx && (xcr0 & 0xE0) == 0xE0;
  const bool os_amx = (xcr0 & 0x60000) == 0x60000;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return f;
  f.fma = os_avx && has_fma;
  f.avx2 = os_avx && (b & (1u << 5));
  f.avx512f = os_avx512 && (b & (1u << 16));
  f.avx512dq = os_avx512 && (b & (1u << 17));
  f.avx512bw = os_avx512 && (b & (1u << 30));
  f.avx512vl = os_avx512 && (b & (1u << 31));
  f.avx512_vnni = os_avx512 && (c & (1u << 11));
  f.avx512_fp16 = os_avx512 && (d & (1u << 23));
  f.amx_bf16 = os_amx && (d & (1u << 22));
  f.amx_tile = os_amx && (d & (1u << 24));
  f.amx_int8 = os_amx && (d & (1u << 25));
  unsigned a1, b1, c1, d1;
  if (__get_cpuid_count(7, 1, &a1, &b1, &c1, &d1)) {
    f.avx512_bf16 = os_avx512 && (a1 & (1u << 5));
    f.amx_fp16 = os_amx && (a1 & (1u << 21));
  }
  return f;
}

}  // namespace

std::optional<bool> host_supports_isa(std::string_view token) {
  static const X86Features f = detect();
  // AOTInductor's VecAVX2 / VecAVX512 compile with these -m flags (cpu_vec_isa.py).
  if (token == "AVX2") return f.avx2 && f.fma;
  if (token == "AVX512") return f.avx512f && f.avx512dq && f.avx512bw && f.avx512vl && f.fma;
  if (token == "AVX512_VNNI") return f.avx512_vnni;
  if (token == "AVX512_BF16") return f.avx512_bf16;
  if (token == "AVX512_FP16") return f.avx512_fp16;
  if (token == "AMX_TILE") return f.amx_tile;
  if (token == "AMX_BF16") return f.amx_bf16;
  if (token == "AMX_INT8") return f.amx_int8;
  if (token == "AMX_FP16") return f.amx_fp16;
  if (token == "NEON" || token == "ASIMD" || token == "SVE" || token == "SVE256" ||
      token == "VSX" || token == "ZVECTOR")
    return false;  // another architecture's ISA
  return std::nullopt;
}
#else
std::optional<bool> host_supports_isa(std::string_view token) {
#if defined(__aarch64__)
  if (token == "NEON" || token == "ASIMD") return true;
  if (token == "AVX2" || token == "AVX512" || token.starts_with("AMX") ||
      token.starts_with("AVX512"))
    return false;
#endif
  return std::nullopt;
}
#endif

}  // namespace pt2run::detail
