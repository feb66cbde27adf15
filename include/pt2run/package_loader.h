#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "pt2run/export.h"
#include "pt2run/runner.h"
#include "pt2run/tensor.h"

namespace pt2run {

namespace detail {
class Pt2Package;
struct ModelFiles;
struct ZipEntry;
}  // namespace detail

// A .pt2 package held in memory (downloaded, embedded in the binary, decrypted...).
struct PackageBuffer {
  const void* data = nullptr;
  std::size_t size = 0;
  std::string label = "<memory>";  // names the package in error messages
};

// pt2run addition: the loader's settings in one place, with what torch's constructor lacks.
struct LoaderOptions {
  std::string model_name = "model";
  bool run_single_threaded = false;
  std::size_t num_runners = 1;
  int32_t device_index = -1;  // -1: the package's device as recorded; N: "<device>:N"
  // If set (64 hex digits, as sha256sum prints), the package file must have this SHA-256 or
  // it is refused (Error(InvalidPackage)) before anything in it is read: a .pt2 holds native
  // code, and loading one runs it. The digest is of the bytes the loader then reads.
  std::string expect_sha256;
};

// pt2run addition: the SHA-256 of a package file (lower-case hex). Throws Error(NotFound | Io).
PT2RUN_API std::string package_sha256(const std::string& model_package_path);
// pt2run addition: throws Error(InvalidPackage) unless the file's SHA-256 is `expected` (64 hex
// digits, any case; Error(InvalidArgument) if it is not that). For callers that look into a
// package (inspect_model) before loading it with LoaderOptions::expect_sha256.
PT2RUN_API void check_package_sha256(const std::string& model_package_path, const std::string& expected);

// Opens a .pt2 package (torch._inductor.aoti_compile_and_package) and runs one model in it,
// with the API of PyTorch's torch::inductor::AOTIModelPackageLoader.
//
// Loading checks, before any model code runs, that the package is a sound zip, that the model
// exists (the error lists the models the package holds), that this host matches the package's
// platform, machine and CPU ISA (AOTI_CPU_ISA), that a runner is registered for its device key,
// and that pt2run provides every aoti_torch_* function the model imports. Nothing is extracted
// to disk and the package file is never modified.
//
// Thread safety: as AOTIModelContainerRunner (run() is safe from many threads).
// Errors: throws pt2run::Error (NotFound, InvalidPackage, UnsupportedPackage, MissingSymbol,
// and the runner's errors). CUDA packages' kernel binaries (.cubin) are the one exception to
// "nothing is extracted": the model library loads them by path, so they go to a private
// temporary folder (under $TMPDIR) that the loader removes when it is destroyed.
class PT2RUN_API AOTIModelPackageLoader {
 public:
  // device_index: -1 for the package's device as recorded; N picks "<device>:N".
  explicit AOTIModelPackageLoader(const std::string& model_package_path,
                                  const std::string& model_name = "model",
                                  bool run_single_threaded = false, std::size_t num_runners = 1,
                                  int32_t device_index = -1);
  // Opens a package from memory. The bytes are copied into an anonymous in-memory file
  // before this returns, so the caller may free the buffer right after.
  explicit AOTIModelPackageLoader(const PackageBuffer& package,
                                  const std::string& model_name = "model",
                                  bool run_single_threaded = false, std::size_t num_runners = 1,
                                  int32_t device_index = -1);
  // pt2run addition: the same, with LoaderOptions (expect_sha256 among them).
  AOTIModelPackageLoader(const std::string& model_package_path, const LoaderOptions& options);
  AOTIModelPackageLoader(const PackageBuffer& package, const LoaderOptions& options);
  ~AOTIModelPackageLoader();
  AOTIModelPackageLoader(const AOTIModelPackageLoader&) = delete;
  AOTIModelPackageLoader& operator=(const AOTIModelPackageLoader&) = delete;

  // Borrowed; lives as long as the loader.
  AOTIModelContainerRunner* get_runner();
  std::unordered_map<std::string, std::string> get_metadata();
  std::vector<Tensor> run(const std::vector<Tensor>& inputs, void* stream_handle = nullptr);
  std::vector<Tensor> boxed_run(std::vector<Tensor>&& inputs, void* stream_handle = nullptr);
  std::vector<std::string> get_call_spec();
  // Keys are original FQNs (as extract_constants_map returns them).
  void load_constants(std::unordered_map<std::string, Tensor>& constants_map, bool use_inactive,
                      bool check_full_update, bool user_managed = false);
  std::vector<std::string> get_constant_fqns();

  static std::unordered_map<std::string, std::string> load_metadata_from_package(
      const std::string& model_package_path, const std::string& model_name);
  // pt2run addition: the names of the models a package holds.
  static std::vector<std::string> list_models(const std::string& model_package_path);

 private:
  void load(const detail::Pt2Package& package, const std::string& model_name,
            bool run_single_threaded, std::size_t num_runners, int32_t device_index);
  void load_weights_blob(const detail::Pt2Package& package, const detail::ZipEntry& blob);
  void extract_kernels(const detail::Pt2Package& package, const detail::ModelFiles& files);

  std::unordered_map<std::string, std::string> metadata_;
  std::string kernel_dir_;  // extracted .cubin files, removed with the loader
  std::unique_ptr<AOTIModelContainerRunner> runner_;
};

}  // namespace pt2run
