#include "package/host_compat.h"

#include <sstream>

#include "core/check.h"
#include "core/host_cpu.h"

namespace pt2run::detail {
namespace {

std::string lookup(const std::map<std::string, std::string>& metadata, const std::string& key) {
  auto it = metadata.find(key);
  return it == metadata.end() ? std::string() : it->second;
}

}  // namespace

std::vector<std::string> host_incompatibilities(
    const std::map<std::string, std::string>& metadata) {
  std::vector<std::string> reasons;
  std::string platform = lookup(metadata, "AOTI_PLATFORM");
  if (!platform.empty() && platform != host_platform())
    reasons.push_back("it was built for platform '" + platform + "' but this host is '" +
                      host_platform() + "'");
  std::string machine = lookup(metadata, "AOTI_MACHINE");
  if (!machine.empty() && machine != host_machine())
    reasons.push_back("it was built for machine '" + machine + "' but this host is '" +
                      host_machine() + "'");
  std::string isa = lookup(metadata, "AOTI_CPU_ISA");
  std::istringstream tokens(isa);
  std::string token;
  while (tokens >> token) {
    if (token == "INVALID_VEC_ISA" || token == "NONE") continue;  // scalar kernels
    std::optional<bool> supported = host_supports_isa(token);
    if (!supported) {
      reasons.push_back("its kernels need CPU feature '" + token +
                        "', which pt2run cannot check on this host");
    } else if (!*supported) {
      reasons.push_back("its kernels need CPU feature '" + token + "' (AOTI_CPU_ISA '" + isa +
                        "') but this host's CPU lacks it");
    }
  }
  return reasons;
}

void check_runs_on_host(const std::map<std::string, std::string>& metadata,
                        const std::string& package_path, const std::string& model_name) {
  std::vector<std::string> reasons = host_incompatibilities(metadata);
  if (reasons.empty()) return;
  std::string message = "package '" + package_path + "' (model '" + model_name +
                        "') cannot run on this host: ";
  for (std::size_t i = 0; i < reasons.size(); ++i) message += (i ? "; " : "") + reasons[i];
  message +=
      ". Export the package on (or for) a machine like this one; running it anyway could "
      "crash with an illegal instruction.";
  throw Error(ErrorCode::UnsupportedPackage, message);
}

}  // namespace pt2run::detail
