#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/mapped_file.h"
#include "model/appended_weights.h"

namespace pt2run::detail {

// A model .so loaded into the process, without libtorch.
//
// The library is copied into an anonymous in-memory file (memfd): the user's file is never
// modified and nothing is written to disk. In that private copy, DT_NEEDED entries naming
// libtorch*/libc10* are dropped (their aoti_torch_* imports resolve to pt2run's shim instead).
// Before dlopen, its undefined aoti_torch_* symbols are checked against the shim, so a model
// that needs a function pt2run lacks fails with one error naming all of them, never with the
// dynamic loader's "undefined symbol" or a crash later.
//
// Thread safety: find_symbol may be called concurrently.
class ModelLibrary {
 public:
  // Throws Error(NotFound | InvalidPackage | UnsupportedPackage | MissingSymbol).
  // A path "/proc/self/fd/N" naming a copy lent with lend_private_copy is used in place.
  static std::unique_ptr<ModelLibrary> open_file(const std::string& path);
  ~ModelLibrary();
  ModelLibrary(const ModelLibrary&) = delete;
  ModelLibrary& operator=(const ModelLibrary&) = delete;

  // nullptr if the library does not define the symbol.
  void* find_symbol(const char* name) const;
  // Where the library came from (the path, or "package:entry" for a library the package
  // loader extracted into a labelled memfd), for messages.
  const std::string& name() const { return name_; }
  // libtorch/libc10 dependencies dropped from the private copy.
  const std::vector<std::string>& dropped_libraries() const { return dropped_; }
  // The weights section appended to the library (USE_MMAP_SELF builds), checked before
  // loading; nullopt for embedded or external weights.
  const std::optional<AppendedWeights>& appended_weights() const { return appended_; }
  // True if the in-memory file is a copy lent by the package loader (shared with it until
  // the loader closes its descriptor), not one this library made.
  bool uses_lent_copy() const { return lent_; }
  // Call once the model has copied its constants into its own blob (after the container is
  // created, with nobody else reading the in-memory file): returns the pages of the
  // constants section (embedded or appended) to the system, so the weights are not held
  // twice. The model never reads that section again; the file keeps its size, so the
  // model's mapping stays valid and reads zeros there. Idempotent.
  void release_weights_copy();

 private:
  ModelLibrary(std::string name, int memfd);
  void prepare_and_load();

  std::string name_;
  int memfd_ = -1;
  void* handle_ = nullptr;
  std::vector<std::string> dropped_;
  std::optional<AppendedWeights> appended_;
  // The file bytes holding the constants the model copies at load: [offset, offset + size).
  uint64_t weights_offset_ = 0;
  uint64_t weights_size_ = 0;
  bool weights_released_ = false;
  bool lent_ = false;
};

// The package loader's extracted library is already a private in-memory copy: lending its
// fd lets a runner that opens "/proc/self/fd/<fd>" use it instead of copying it again. The
// first open takes the loan; the lender keeps its descriptor and must withdraw (or have
// been taken) before closing it. Thread-safe.
void lend_private_copy(int fd);
void withdraw_private_copy(int fd);

// The aoti_* names in `imports` that pt2run's shim does not export, sorted.
std::vector<std::string> missing_shim_symbols(const std::vector<std::string>& imports);
// What to do about those missing functions: for the oneDNN ops of packages exported with
// freezing and weight prepacking (their weights are oneDNN 3 blobs of libtorch's bundled
// oneDNN), the export setting that gives a frozen package pt2run runs; otherwise generic advice.
std::string missing_symbols_advice(const std::vector<std::string>& missing);

// True if `symbol` is exported by pt2run's shim.
bool shim_provides(const std::string& symbol);

}  // namespace pt2run::detail
