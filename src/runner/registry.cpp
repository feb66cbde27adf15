#include "pt2run/runner.h"

namespace pt2run {

std::unordered_map<std::string, CreateAOTIModelRunnerFunc>& getAOTIModelRunnerRegistry() {
  // Function-local so registrations from other translation units' static initializers are
  // safe whatever the initialization order.
  static std::unordered_map<std::string, CreateAOTIModelRunnerFunc> registry;
  return registry;
}

RegisterAOTIModelRunner::RegisterAOTIModelRunner(const std::string& name,
                                                 CreateAOTIModelRunnerFunc create_aoti_model_runner_fn) {
  getAOTIModelRunnerRegistry()[name] = create_aoti_model_runner_fn;
}

}  // namespace pt2run
