// pt2run run: runs on inputs from tensor files, in order on one loaded model; outputs summarized
// and optionally saved.

#include <charconv>
#include <cstdio>
#include <map>

#include "cli/commands.h"
#include "cli/thread_choice.h"
#include "cli/inputs.h"
#include "cli/summary.h"
#include "pt2run/pt2run.h"

namespace pt2run::cli {
namespace {

// "cpu", "cuda", "cuda:1" against the package's device; returns the device index to load on.
int32_t device_index_for(const std::string& device, const ModelInfo& info) {
  if (device.empty()) return -1;
  Device wanted = Device::cpu();
  try {
    wanted = Device::parse(device);
  } catch (const Error& e) {
    throw UsageError{std::string("--device: ") + e.what(), "use cpu, cuda or cuda:N"};
  }
  auto key = info.metadata.find("AOTI_DEVICE_KEY");
  const std::string package_device = key == info.metadata.end() ? "?" : key->second;
  if (Device::parse(package_device).type != wanted.type)
    throw Error(ErrorCode::UnsupportedPackage,
                "the package was compiled for '" + package_device + "' and cannot run on '" + device +
                    "': AOTInductor compiles a model for one device; export it again for " + device);
  return wanted.index;
}

// --input-device INDEX=DEVICE options, by input index.
std::map<std::size_t, Device> input_devices(const std::vector<std::string>& specs, std::size_t inputs) {
  std::map<std::size_t, Device> devices;
  for (const std::string& spec : specs) {
    const std::size_t eq = spec.find('=');
    std::size_t index = 0;
    const char* end = spec.data() + (eq == std::string::npos ? spec.size() : eq);
    auto [at, ec] = std::from_chars(spec.data(), end, index);
    if (eq == std::string::npos || ec != std::errc() || at != end)
      throw UsageError{"--input-device '" + spec + "' is not INDEX=DEVICE", "for example --input-device 0=cpu"};
    if (index >= inputs)
      throw UsageError{"--input-device '" + spec + "': the model has " + std::to_string(inputs) + " input(s)",
                       "give an index from 0 to " + std::to_string(inputs == 0 ? 0 : inputs - 1)};
    try {
      devices[index] = Device::parse(spec.substr(eq + 1));
    } catch (const Error& e) {
      throw UsageError{"--input-device '" + spec + "': " + e.what(), "use cpu, cuda or cuda:N"};
    }
  }
  return devices;
}

// The runs' inputs files: one per run (an empty name for a run from --input pairs alone).
std::vector<std::string> runs_of(const RunOptions& options, const ModelInfo& info) {
  std::vector<std::string> runs = options.inputs_files;
  if (runs.empty() && (!options.named_inputs.empty() || info.inputs.empty())) runs.emplace_back();
  if (runs.empty()) throw UsageError{"no inputs given", "use --inputs FILE.npz|.safetensors or --input NAME=FILE.npy"};
  if (runs.size() > 1 && !options.named_inputs.empty())
    throw UsageError{"--input NAME=FILE.npy gives the inputs of a single run, but --inputs names " +
                         std::to_string(runs.size()) + " runs",
                     "put each run's arrays in its own --inputs file"};
  if (!options.output_files.empty() && options.output_files.size() != runs.size())
    throw UsageError{std::to_string(options.output_files.size()) + " -o file(s) for " + std::to_string(runs.size()) +
                         " run(s)",
                     "give one -o per --inputs, in the same order, or none"};
  return runs;
}

// Each -o file's format, checked before anything runs: a bad suffix is a usage error, not a
// failure after the model ran.
void check_output_files(const std::vector<std::string>& files, const ModelInfo& info) {
  for (const std::string& file : files) {
    TensorFileFormat format{};
    try {
      format = tensor_file_format(file);
    } catch (const Error& e) {
      throw UsageError{"-o " + file + ": " + e.message(), "name the file .npz or .safetensors"};
    }
    if (format == TensorFileFormat::Npy && info.outputs.size() != 1)
      throw UsageError{"-o " + file + ": a .npy file holds one array, but the model has " +
                           std::to_string(info.outputs.size()) + " outputs",
                       "name the file .npz or .safetensors"};
  }
}

}  // namespace

int run_command(const RunOptions& options) {
  if (!options.expect_sha256.empty()) check_package_sha256(options.package, options.expect_sha256);
  ModelInfo info = inspect_model(options.package, options.model);
  const int32_t device_index = device_index_for(options.device, info);
  const std::vector<std::string> runs = runs_of(options, info);
  const std::map<std::size_t, Device> kept = input_devices(options.input_devices, info.inputs.size());
  check_output_files(options.output_files, info);
  // Every inputs file is read and matched to the model's inputs before the model loads, so a
  // malformed one is reported before any run.
  std::vector<std::vector<Tensor>> run_inputs;
  for (const std::string& file : runs) run_inputs.push_back(load_inputs(info, file, options.named_inputs));
  choose_threads(options.threads, 1);
  LoaderOptions loader_options;
  loader_options.model_name = options.model;
  loader_options.device_index = device_index;
  loader_options.expect_sha256 = options.expect_sha256;
  AOTIModelPackageLoader loader(options.package, loader_options);
  const Device device = Device::parse(loader.get_runner()->device_str());
  if (options.seed) manual_seed(*options.seed);
  for (std::size_t r = 0; r < runs.size(); ++r) {
    std::vector<Tensor>& inputs = run_inputs[r];
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      // --input-device, else where the model takes the input, else the package's device.
      auto other = kept.find(i);
      inputs[i] = inputs[i].to(other != kept.end() ? other->second : input_device(info, i, device));
    }
    if (runs.size() > 1) std::printf("run %zu of %zu (%s)\n", r + 1, runs.size(), runs[r].c_str());
    std::vector<Tensor> outputs = loader.run(inputs);
    for (Tensor& t : outputs)
      if (t.defined()) t = t.to(Device::cpu());
    NamedTensors to_save;
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      const std::string name = i < info.outputs.size() ? info.outputs[i].name : "output[" + std::to_string(i) + "]";
      std::printf("%s\n", format_summary("arr_" + std::to_string(i) + " " + name, outputs[i], summarize(outputs[i])).c_str());
      if (outputs[i].defined()) to_save.emplace_back("arr_" + std::to_string(i), outputs[i]);
    }
    if (!options.output_files.empty()) {
      write_tensors(options.output_files[r], to_save);
      std::printf("wrote %zu output(s) to %s\n", to_save.size(), options.output_files[r].c_str());
    }
  }
  return 0;
}

}  // namespace pt2run::cli
