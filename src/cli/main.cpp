// pt2run: run AOTInductor .pt2 packages from the command line.

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "pt2run/tensor_file.h"
#include "pt2run/pt2run.h"

namespace {

// One line per output: shape, dtype, range, mean, and the leading values.
void print_summary(std::size_t index, const std::string& name, const pt2run::Tensor& t) {
  std::printf("output %zu%s%s: ", index, name.empty() ? "" : " ", name.c_str());
  if (!t.defined()) {
    std::printf("None\n");
    return;
  }
  std::printf("%s", t.describe().c_str());
  if (pt2run::is_complex(t.dtype()) || t.numel() == 0) {
    std::printf("\n");
    return;
  }
  pt2run::Tensor v = t.to(pt2run::DType::Float64);
  const double* p = v.data<double>();
  double lo = INFINITY, hi = -INFINITY, sum = 0;
  bool non_finite = false;
  for (int64_t i = 0; i < v.numel(); ++i) {
    lo = std::min(lo, p[i]);
    hi = std::max(hi, p[i]);
    sum += p[i];
    non_finite = non_finite || !std::isfinite(p[i]);
  }
  std::printf(" min %.6g max %.6g mean %.6g%s\n  [", lo, hi, sum / static_cast<double>(v.numel()),
              non_finite ? " (has NaN/Inf)" : "");
  for (int64_t i = 0; i < std::min<int64_t>(v.numel(), 8); ++i)
    std::printf("%s%.6g", i ? ", " : "", p[i]);
  std::printf("%s]\n", v.numel() > 8 ? ", ..." : "");
}

int run_command(const std::string& package, const std::string& model,
                const std::vector<std::string>& inputs, const std::string& output_dir) {
  pt2run::AOTIModelPackageLoader loader(package, model);
  std::vector<pt2run::Tensor> tensors;
  for (const auto& path : inputs) tensors.push_back(pt2run::read_tensors(path).at(0).second);
  std::vector<pt2run::Tensor> outputs = loader.run(tensors);
  std::vector<std::string> names = loader.get_runner()->get_output_names();
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    print_summary(i, i < names.size() ? names[i] : "", outputs[i]);
    if (!output_dir.empty() && outputs[i].defined()) {
      std::filesystem::create_directories(output_dir);
      pt2run::write_tensors(output_dir + "/out_" + std::to_string(i) + ".npy", {{"out", outputs[i]}});
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pt2run: run PyTorch AOTInductor .pt2 packages without libtorch"};
  app.set_version_flag("--version", PT2RUN_VERSION_STRING);
  app.require_subcommand(1);

  std::string package, model = "model", output_dir;
  std::vector<std::string> inputs;
  int threads = 0;
  CLI::App* run = app.add_subcommand("run", "run a model on inputs stored as .npy files");
  run->add_option("package", package, "the .pt2 file")->required()->check(CLI::ExistingFile);
  run->add_option("--model", model, "model name inside the package")->capture_default_str();
  run->add_option("-i,--input", inputs, "a flat input as .npy, in order (repeat)");
  run->add_option("-o,--output-dir", output_dir, "write outputs as out_<i>.npy here");
  run->add_option("-t,--threads", threads, "threads per run (0: OpenMP default)");

  CLI11_PARSE(app, argc, argv);
  try {
    pt2run::set_num_threads(threads);
    if (*run) return run_command(package, model, inputs, output_dir);
  } catch (const pt2run::Error& e) {
    std::fprintf(stderr, "%s [%s]\n", e.what(), std::string(pt2run::error_code_name(e.code())).c_str());
    return 2;
  }
  return 0;
}
