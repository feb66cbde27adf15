#pragma once

#include <map>
#include <string>
#include <vector>

namespace pt2run::detail {

// Reasons (one per line's worth) why a model with this metadata cannot run on this host:
// AOTI_PLATFORM, AOTI_MACHINE or an AOTI_CPU_ISA feature the host lacks. Empty when it can.
// Each reason names both the package's and the host's side.
std::vector<std::string> host_incompatibilities(const std::map<std::string, std::string>& metadata);

// Throws Error(UnsupportedPackage) listing every incompatibility.
void check_runs_on_host(const std::map<std::string, std::string>& metadata,
                        const std::string& package_path, const std::string& model_name);

}  // namespace pt2run::detail
