#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pt2run::detail {

// platform.machine() as Python spells it: "x86_64", "aarch64", ...
std::string host_machine();
// sys.platform as Python spells it: "linux".
std::string host_platform();

// Whether this CPU (and OS) supports an ISA token as AOTInductor writes it in AOTI_CPU_ISA
// ("AVX2", "AVX512", "AVX512_VNNI", "AMX_TILE", "NEON", ...). nullopt for tokens pt2run
// does not know how to check.
std::optional<bool> host_supports_isa(std::string_view token);

// Physical cores this process may run on: the CPUs of its affinity mask (taskset, cgroup
// cpusets), counting SMT siblings once. At least 1.
int host_physical_cores();

}  // namespace pt2run::detail
