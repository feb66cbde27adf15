#include "pt2run/runner.h"

namespace pt2run {

AOTIModelContainerRunnerCpu::AOTIModelContainerRunnerCpu(const std::string& model_so_path,
                                                         std::size_t num_models,
                                                         bool run_single_threaded)
    : AOTIModelContainerRunner(model_so_path, num_models, "cpu", "", run_single_threaded) {}

AOTIModelContainerRunnerCpu::~AOTIModelContainerRunnerCpu() = default;

namespace {

std::unique_ptr<AOTIModelContainerRunner> create_cpu_runner(const std::string& model_so_path,
                                                            std::size_t num_models,
                                                            const std::string& /*device_str*/,
                                                            const std::string& /*bin_dir*/,
                                                            const bool run_single_threaded) {
  return std::make_unique<AOTIModelContainerRunnerCpu>(model_so_path, num_models,
                                                       run_single_threaded);
}

const RegisterAOTIModelRunner register_cpu_runner("cpu", &create_cpu_runner);

}  // namespace
}  // namespace pt2run
