// pt2run inspect: what a package holds and whether it runs here, without running it.

#include <cstdio>

#include "cli/commands.h"
#include "pt2run/cpu.h"
#include "pt2run/threading.h"
#include "cli/inputs.h"
#include "pt2run/inspect.h"
#include "pt2run/package_loader.h"

namespace pt2run::cli {
namespace {

std::string dtype_text(const std::optional<DType>& d) { return d ? std::string(dtype_name(*d)) : "?"; }

std::string human_bytes(uint64_t n) {
  char buf[32];
  if (n >= (1u << 20)) std::snprintf(buf, sizeof(buf), "%.1f MiB", static_cast<double>(n) / (1 << 20));
  else if (n >= 1024) std::snprintf(buf, sizeof(buf), "%.1f KiB", static_cast<double>(n) / 1024);
  else std::snprintf(buf, sizeof(buf), "%llu B", static_cast<unsigned long long>(n));
  return buf;
}

const char* weights_text(const std::string& kind) {
  if (kind == "library") return "in the model library";
  if (kind == "blob") return "in a weights blob beside the library (binary_blob)";
  if (kind == "pickle_weights") return "in data/weights (pickle_weights), mapped from the package";
  if (kind == "appended") return "appended to the library (mmap'd weights)";
  return "not in the package: supply them with load_constants";
}

}  // namespace

int inspect_command(const InspectOptions& options) {
  if (!options.expect_sha256.empty()) check_package_sha256(options.package, options.expect_sha256);
  ModelInfo info = inspect_model(options.package, options.model);
  if (options.json) {
    std::printf("%s\n", model_info_json(info).c_str());
    return 0;
  }
  auto meta = [&](const char* key) {
    auto it = info.metadata.find(key);
    return it == info.metadata.end() ? std::string("?") : it->second;
  };
  std::printf("package  %s\n", info.package.c_str());
  std::string models;
  for (const auto& m : info.models_in_package) models += (models.empty() ? "" : ", ") + m;
  std::printf("models   %s (showing '%s')\n", models.c_str(), info.model.c_str());
  std::printf("device   %s   platform %s   machine %s   CPU ISA %s\n", meta("AOTI_DEVICE_KEY").c_str(),
              meta("AOTI_PLATFORM").c_str(), meta("AOTI_MACHINE").c_str(), meta("AOTI_CPU_ISA").c_str());
  std::printf("\ninputs (%zu)\n", info.inputs.size());
  for (std::size_t i = 0; i < info.inputs.size(); ++i) {
    const TensorInfo& t = info.inputs[i];
    const auto aliases = input_aliases(info, i);
    std::string also;
    for (std::size_t a = 1; a < aliases.size(); ++a) also += (a > 1 ? ", " : "") + aliases[a];
    std::printf("  %-24s %-9s %-20s also %s\n", t.name.c_str(), dtype_text(t.dtype).c_str(), describe_dims(t).c_str(),
                also.c_str());
  }
  std::printf("outputs (%zu)\n", info.outputs.size());
  for (const auto& t : info.outputs)
    std::printf("  %-24s %-9s %s\n", t.name.c_str(), dtype_text(t.dtype).c_str(), describe_dims(t).c_str());
  std::printf("\nconstants (%zu, %s), weights %s\n", info.constants.size(),
              human_bytes(info.constants_bytes).c_str(), weights_text(info.weights));
  for (const auto& c : info.constants) {
    std::string shape;
    for (std::size_t i = 0; i < c.shape.size(); ++i) shape += (i ? ", " : "") + std::to_string(c.shape[i]);
    std::printf("  %-24s %-24s %-9s [%s]  %s%s\n", c.name.c_str(), c.fqn.c_str(), dtype_text(c.dtype).c_str(),
                shape.c_str(), human_bytes(c.bytes).c_str(), c.from_folded ? "  (folded)" : "");
  }
  std::size_t unsupported = 0;
  for (const auto& s : info.imports) unsupported += !s.supported;
  std::printf("\nimports (%zu, %zu unsupported)\n", info.imports.size(), unsupported);
  for (const auto& s : info.imports) std::printf("  %s %s\n", s.supported ? "ok " : "NO ", s.symbol.c_str());
  if (!info.proxy_ops.empty()) {
    std::printf("\nops through the proxy executor (%zu)\n", info.proxy_ops.size());
    for (const auto& s : info.proxy_ops) std::printf("  %s %s\n", s.supported ? "ok " : "NO ", s.symbol.c_str());
  }
  if (info.max_threads)
    std::printf("\nthreads   at most %d (the exporting machine's count: the kernels keep per-thread results in "
                "arrays of that size); runs never use more\n", *info.max_threads);
  else
    std::printf("\nthreads   %s\n", info.max_threads_known ? "any number" : "unknown bound (the package carries no kernel source)");
  std::printf("          a run here uses %d by default (the physical cores; -t or PT2RUN_NUM_THREADS change it)\n",
              default_num_threads());
  const CpuKernels cpu = cpu_kernels();
  std::printf("kernels   GEMM %s, convolution %s, float64 GEMM %s\n", cpu.gemm.c_str(), cpu.convolution.c_str(),
              cpu.float64_gemm.c_str());
  std::printf("\nruns here: %s\n", info.runs_here ? "yes" : "no");
  for (const auto& r : info.reasons) std::printf("  - %s\n", r.c_str());
  for (const auto& n : info.notes) std::printf("note: %s\n", n.c_str());
  return 0;
}

}  // namespace pt2run::cli
