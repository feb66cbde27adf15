#include "pt2run/package_loader.h"

#include <sys/mman.h>
#include <unistd.h>

#include <fcntl.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <cstring>

#include "core/check.h"
#include "core/mapped_file.h"
#include "model/model_library.h"
#include "package/model_source.h"
#include "ops/proxy_executor.h"
#include "package/host_compat.h"
#include "package/package.h"
#include "package/package_weights.h"
#include "runner/device_plugins.h"
#include "runner/runner_access.h"
#include "package/sha256.h"
#include "package/thread_bound.h"

namespace pt2run {
namespace {

// Holds the model library extracted from the package in an anonymous in-memory file, so the
// registry's path-based factories can load it without anything touching the disk.
class ExtractedLibrary {
 public:
  ExtractedLibrary(const detail::ZipArchive& archive, const detail::ZipEntry& entry) {
    fd_ = detail::make_memfd(archive.path() + ":" + entry.name);
    try {
      archive.copy_to_fd(entry, fd_);
    } catch (...) {
      ::close(fd_);
      throw;
    }
    // A runner opening path() uses this copy rather than making another.
    detail::lend_private_copy(fd_);
  }
  ~ExtractedLibrary() {
    detail::withdraw_private_copy(fd_);
    ::close(fd_);
  }
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  int fd_ = -1;
};

}  // namespace

namespace {

LoaderOptions options_of(const std::string& model_name, bool run_single_threaded, std::size_t num_runners,
                         int32_t device_index) {
  LoaderOptions o;
  o.model_name = model_name;
  o.run_single_threaded = run_single_threaded;
  o.num_runners = num_runners;
  o.device_index = device_index;
  return o;
}

}  // namespace

std::string package_sha256(const std::string& model_package_path) {
  return detail::ZipArchive::file_sha256(model_package_path);
}

void check_package_sha256(const std::string& model_package_path, const std::string& expected) {
  detail::normalized_sha256(expected);
  detail::check_sha256(package_sha256(model_package_path), expected, "package '" + model_package_path + "'");
}

AOTIModelPackageLoader::AOTIModelPackageLoader(const std::string& model_package_path,
                                               const std::string& model_name,
                                               bool run_single_threaded, std::size_t num_runners,
                                               int32_t device_index)
    : AOTIModelPackageLoader(model_package_path,
                             options_of(model_name, run_single_threaded, num_runners, device_index)) {}

AOTIModelPackageLoader::AOTIModelPackageLoader(const PackageBuffer& package_buffer,
                                               const std::string& model_name,
                                               bool run_single_threaded, std::size_t num_runners,
                                               int32_t device_index)
    : AOTIModelPackageLoader(package_buffer, options_of(model_name, run_single_threaded, num_runners, device_index)) {}

AOTIModelPackageLoader::AOTIModelPackageLoader(const std::string& model_package_path, const LoaderOptions& options) {
  auto package = detail::Pt2Package::open(model_package_path, options.expect_sha256);
  load(*package, options.model_name, options.run_single_threaded, options.num_runners, options.device_index);
}

AOTIModelPackageLoader::AOTIModelPackageLoader(const PackageBuffer& package_buffer, const LoaderOptions& options) {
  if (!options.expect_sha256.empty())
    detail::check_sha256(detail::sha256_hex(-1, 0, package_buffer.size, package_buffer.data, package_buffer.label),
                         options.expect_sha256, "package " + package_buffer.label);
  auto package = detail::Pt2Package::open_buffer(package_buffer.data, package_buffer.size, package_buffer.label);
  load(*package, options.model_name, options.run_single_threaded, options.num_runners, options.device_index);
}

void AOTIModelPackageLoader::load(const detail::Pt2Package& package, const std::string& model_name,
                                  bool run_single_threaded, std::size_t num_runners,
                                  int32_t device_index) {
  const std::string& package_name = package.path();
  detail::ModelFiles files = package.model(model_name);
  auto metadata = package.metadata(files);
  for (const auto& [key, value] : metadata) metadata_.emplace(key, value);

  auto key = metadata.find("AOTI_DEVICE_KEY");
  PT2RUN_CHECK(key != metadata.end() && !key->second.empty(), InvalidPackage, "package '",
               package_name, "' (model '", model_name,
               "') has no AOTI_DEVICE_KEY in its metadata; cannot tell which device it targets");
  const std::string device_key = key->second;
  auto& registry = getAOTIModelRunnerRegistry();
  const std::string plugin_error = detail::load_device_plugin_if_needed(device_key);
  auto factory = registry.find(device_key);
  if (factory == registry.end()) {
    std::string known;
    for (const auto& [name, fn] : registry) known += (known.empty() ? "" : ", ") + name;
    detail::fail(ErrorCode::UnsupportedPackage, "package '", package_name, "' (model '",
                 model_name, "') targets device '", device_key,
                 "' but this pt2run has runners for: ", known,
                 plugin_error.empty() ? "" : " (loading the " + device_key + " backend failed: " + plugin_error + ")",
                 ". Export the model for one of those, or register a runner for '", device_key,
                 "' with RegisterAOTIModelRunner");
  }
  detail::check_runs_on_host(metadata, package_name, model_name);
  std::shared_ptr<const detail::ProxyExecutor> proxy_executor;
  if (files.extern_nodes != nullptr) {
    // Built before the library loads, so an op nobody registered is named now rather than
    // when a run reaches it.
    proxy_executor = std::make_shared<detail::ProxyExecutor>(
        package.archive().read(*files.extern_nodes),
        "package '" + package_name + "' (model '" + model_name + "', " + files.extern_nodes->name + ")");
  }
  std::string device_str = device_key;
  if (device_index >= 0) device_str.append(":").append(std::to_string(device_index));
  extract_kernels(package, files);

  {
    ExtractedLibrary library(package.archive(), *files.library);
    // CPU models need no kernel directory: "" unless the package carries kernel binaries.
    runner_ = factory->second(library.path(), num_runners, device_str, kernel_dir_, run_single_threaded);
  }
  PT2RUN_CHECK(runner_ != nullptr, Internal, "the runner factory for '", device_key,
               "' returned null");
  // The loader's copy is closed: the runner's library is the only reader left.
  detail::RunnerAccess::release_weights_copy(*runner_);
  if (proxy_executor) detail::RunnerAccess::set_proxy_executor(*runner_, proxy_executor);
  detail::RunnerAccess::set_max_threads(*runner_,
                                        detail::package_thread_bound(package, files).max_threads.value_or(0));
  if (files.wrapper_source != nullptr) {
    const detail::ModelSource source = detail::parse_model_source(package.archive().read(*files.wrapper_source));
    // The only record of constant layouts when the weights are not in the library.
    detail::RunnerAccess::add_constant_layouts(*runner_, source.layouts());
    detail::RunnerAccess::set_input_specs(*runner_, source.inputs);
  }
  if (files.weights_blob != nullptr) load_weights_blob(package, *files.weights_blob);
  if (files.weights_config != nullptr) {
    // As torch's Python loader: the runner uses the package's (mapped) memory directly.
    auto weights = detail::load_pickle_weights(package, files);
    try {
      load_constants(weights, /*use_inactive=*/false, /*check_full_update=*/true,
                     /*user_managed=*/true);
    } catch (const Error& e) {
      detail::fail(ErrorCode::InvalidPackage, "package '", package_name, "' (model '", model_name,
                   "'): its weights do not fit the model: ", e.what());
    }
  }
}

void AOTIModelPackageLoader::extract_kernels(const detail::Pt2Package& package,
                                             const detail::ModelFiles& files) {
  std::vector<const detail::ZipEntry*> kernels;
  for (const detail::ZipEntry* entry : files.files)
    if (entry->name.ends_with(".cubin") || entry->name.ends_with(".fatbin")) kernels.push_back(entry);
  if (kernels.empty()) return;
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/pt2run-kernels-XXXXXX";
  PT2RUN_CHECK(::mkdtemp(pattern.data()) != nullptr, Io, "cannot create a folder for the kernels of '",
               package.path(), "' under ", pattern, ": ", std::strerror(errno));
  kernel_dir_ = pattern;
  for (const detail::ZipEntry* entry : kernels) {
    // The library asks for <cubin_dir>/<file name>, whatever folder the package kept it in.
    const std::string path = kernel_dir_ + "/" + entry->name.substr(entry->name.rfind('/') + 1);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    PT2RUN_CHECK(fd >= 0, Io, "cannot write '", path, "': ", std::strerror(errno));
    try {
      package.archive().copy_to_fd(*entry, fd);
    } catch (...) {
      ::close(fd);
      throw;
    }
    ::close(fd);
  }
}

void AOTIModelPackageLoader::load_weights_blob(const detail::Pt2Package& package,
                                               const detail::ZipEntry& blob) {
  const std::string what = "weights blob '" + blob.name + "' of package '" + package.path() + "'";
  const detail::ZipArchive& archive = package.archive();
  if (blob.method == 0) {
    // Stored entry: map it in place; the model copies what it needs.
    auto mapped = detail::MappedFile::map(archive.fd(), archive.fd_offset(blob), blob.size, what);
    archive.check_crc(blob, mapped.data());
    detail::RunnerAccess::load_blob(*runner_, mapped.data(), mapped.size(), what);
  } else {
    std::string bytes = archive.read(blob);
    detail::RunnerAccess::load_blob(*runner_, reinterpret_cast<const uint8_t*>(bytes.data()),
                                    bytes.size(), what);
  }
}

AOTIModelPackageLoader::~AOTIModelPackageLoader() {
  runner_.reset();  // the model may read kernels until its container goes
  if (!kernel_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(kernel_dir_, ignored);
  }
}

AOTIModelContainerRunner* AOTIModelPackageLoader::get_runner() { return runner_.get(); }

std::unordered_map<std::string, std::string> AOTIModelPackageLoader::get_metadata() {
  return metadata_;
}

std::vector<Tensor> AOTIModelPackageLoader::run(const std::vector<Tensor>& inputs,
                                                void* stream_handle) {
  return runner_->run(inputs, stream_handle);
}

std::vector<Tensor> AOTIModelPackageLoader::boxed_run(std::vector<Tensor>&& inputs,
                                                      void* stream_handle) {
  return runner_->boxed_run(std::move(inputs), stream_handle);
}

std::vector<std::string> AOTIModelPackageLoader::get_call_spec() { return runner_->get_call_spec(); }

void AOTIModelPackageLoader::load_constants(std::unordered_map<std::string, Tensor>& constants_map,
                                            bool use_inactive, bool check_full_update,
                                            bool user_managed) {
  std::unordered_map<std::string, std::string> fqn_to_name;
  for (const auto& [name, fqn] : runner_->getConstantNamesToOriginalFQNs())
    fqn_to_name.emplace(fqn, name);
  std::unordered_map<std::string, Tensor> by_name;
  std::string unknown;
  for (auto& [fqn, tensor] : constants_map) {
    auto it = fqn_to_name.find(fqn);
    if (it == fqn_to_name.end()) {
      unknown += (unknown.empty() ? "" : ", ") + fqn;
      continue;
    }
    by_name.emplace(it->second, tensor);
  }
  PT2RUN_CHECK(unknown.empty(), NotFound, "the model has no constant(s) with FQN ", unknown,
               " (see get_constant_fqns)");
  runner_->update_constant_buffer(by_name, use_inactive, check_full_update, user_managed);
}

std::vector<std::string> AOTIModelPackageLoader::get_constant_fqns() {
  std::vector<std::string> fqns;
  for (const auto& [name, fqn] : runner_->getConstantNamesToOriginalFQNs()) fqns.push_back(fqn);
  std::sort(fqns.begin(), fqns.end());
  return fqns;
}

std::unordered_map<std::string, std::string> AOTIModelPackageLoader::load_metadata_from_package(
    const std::string& model_package_path, const std::string& model_name) {
  auto package = detail::Pt2Package::open(model_package_path);
  auto metadata = package->metadata(package->model(model_name));
  return {metadata.begin(), metadata.end()};
}

std::vector<std::string> AOTIModelPackageLoader::list_models(const std::string& model_package_path) {
  return detail::Pt2Package::open(model_package_path)->model_names();
}

}  // namespace pt2run
