#include "model/model_library.h"

#include <dlfcn.h>
#include <link.h>
#include <elf.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>

#include "core/check.h"
#include "model/appended_weights.h"
#include "model/model_malloc.h"
#include "model/thread_exit.h"
#include "model/elf_image.h"

namespace pt2run::detail {
namespace {

// The handle of libpt2run itself, whose exports are the shim.
void* shim_handle() {
  static void* handle = [] {
    Dl_info info{};
    void* self = nullptr;
    if (dladdr(reinterpret_cast<void*>(&shim_provides), &info) != 0 && info.dli_fname)
      self = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD);
    return self ? self : dlopen(nullptr, RTLD_NOW);
  }();
  return handle;
}

// Generated code validates each input's dtype, shape and strides only when
// AOTI_RUNTIME_CHECK_INPUTS is set (read once per library). Without it, a wrong input runs
// straight into the kernels and can read out of bounds, so pt2run turns the checks on unless
// the user chose a value. Done once, before the first model library is loaded.
void enable_model_input_checks() {
  static std::once_flag once;
  std::call_once(once, [] { ::setenv("AOTI_RUNTIME_CHECK_INPUTS", "1", /*overwrite=*/0); });
}

// Model libraries built by torch's CUDA wheels carry their own static libstdc++, whose start-up
// mallocs a 72 KiB emergency pool for exceptions thrown when memory runs out, never freed: each
// load of such a library would keep one (1,000 load/unload cycles: +72 MiB, measured). GCC 13's
// libstdc++ reads the pool's size from GLIBCXX_TUNABLES when a library starts; pt2run's own
// libstdc++ has started already, so this only concerns model libraries loaded from now on.
void drop_model_exception_pools() {
  static std::once_flag once;
  std::call_once(once, [] {
    constexpr const char* kPool = "glibcxx.eh_pool.obj_count=0";
    const char* given = std::getenv("GLIBCXX_TUNABLES");
    if (given == nullptr || *given == '\0') ::setenv("GLIBCXX_TUNABLES", kPool, 1);
    else if (std::strstr(given, "glibcxx.eh_pool.obj_count") == nullptr)
      ::setenv("GLIBCXX_TUNABLES", (std::string(given) + ":" + kPool).c_str(), 1);
  });
}

// Model libraries resolve aoti_torch_* through the global scope. If libpt2run itself was
// dlopen'ed locally (by a plugin host, say), promote it to global once.
void make_shim_global() {
  static std::once_flag once;
  std::call_once(once, [] {
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&shim_provides), &info) != 0 && info.dli_fname)
      dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL);
  });
}

bool is_libtorch(const std::string& lib) {
  return lib.starts_with("libtorch") || lib.starts_with("libc10") || lib.starts_with("libshm");
}

bool is_libtorch_cxx_symbol(const std::string& symbol) {
  return symbol.starts_with("_ZN3c10") || symbol.starts_with("_ZN2at") ||
         symbol.starts_with("_ZN5torch") || symbol.starts_with("_ZNK3c10") ||
         symbol.starts_with("_ZNK2at");
}

// How people call the architectures a model library may be built for.
std::string elf_machine_name(uint16_t machine) {
  switch (machine) {
    case EM_X86_64: return "x86-64";
    case EM_AARCH64: return "AArch64 (arm64)";
    case EM_386: return "x86 (32-bit)";
    case EM_ARM: return "ARM (32-bit)";
    case EM_PPC64: return "POWER (ppc64)";
    case EM_S390: return "IBM Z (s390x)";
    case EM_RISCV: return "RISC-V";
    default: return "ELF machine " + std::to_string(machine);
  }
}

uint16_t host_elf_machine() {
#if defined(__x86_64__)
  return EM_X86_64;
#elif defined(__aarch64__)
  return EM_AARCH64;
#else
  return EM_NONE;
#endif
}

std::mutex& loans_mutex() {
  static std::mutex m;
  return m;
}

std::set<int>& loans() {
  static std::set<int> fds;
  return fds;
}

// Takes the loan of the fd named by "/proc/self/fd/N"; -1 if it is not lent.
int take_loan(const std::string& path) {
  constexpr std::string_view prefix = "/proc/self/fd/";
  if (!path.starts_with(prefix)) return -1;
  int fd = -1;
  try {
    std::size_t used = 0;
    fd = std::stoi(path.substr(prefix.size()), &used);
    if (used != path.size() - prefix.size()) return -1;
  } catch (const std::exception&) {
    return -1;
  }
  std::lock_guard lock(loans_mutex());
  return loans().erase(fd) == 1 ? fd : -1;
}

}  // namespace

void lend_private_copy(int fd) {
  std::lock_guard lock(loans_mutex());
  loans().insert(fd);
}

void withdraw_private_copy(int fd) {
  std::lock_guard lock(loans_mutex());
  loans().erase(fd);
}

namespace {

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : sep) + item;
  return out;
}

}  // namespace

bool shim_provides(const std::string& symbol) {
  // libpt2run itself, or a device plugin (libpt2run_cuda) loaded into the global scope.
  return dlsym(shim_handle(), symbol.c_str()) != nullptr ||
         (symbol.find("cuda") != std::string::npos && dlsym(RTLD_DEFAULT, symbol.c_str()) != nullptr);
}

bool provided_by_runtime(const std::string& symbol) {
  // aoti_*: the shim; Sleef_*: the vector math library libtorch would have carried.
  return symbol.starts_with("aoti_") || symbol.starts_with("Sleef_");
}

std::vector<std::string> missing_shim_symbols(const std::vector<std::string>& imports) {
  std::vector<std::string> missing;
  for (const auto& symbol : imports)
    if (provided_by_runtime(symbol) && !shim_provides(symbol)) missing.push_back(symbol);
  std::sort(missing.begin(), missing.end());
  missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
  return missing;
}

ModelLibrary::ModelLibrary(std::string name, int memfd) : name_(std::move(name)), memfd_(memfd) {}

ModelLibrary::~ModelLibrary() {
  bool still_loaded = false;
  if (handle_) {
    // No run is in flight (the runner is gone): the destructors of the model's thread_local
    // objects on threads still alive run now, or the library could never be unloaded.
    struct link_map* map = nullptr;
    Dl_info info{};
    if (dlinfo(handle_, RTLD_DI_LINKMAP, &map) == 0 && map != nullptr && dladdr(map->l_ld, &info) != 0)
      run_thread_destructors_of(info.dli_fbase);
    dlclose(handle_);
    // Model libraries define STB_GNU_UNIQUE symbols (C++ inline statics), which make glibc
    // keep them loaded after dlclose. glibc finds loaded libraries by path, so if this fd
    // number were reused for another model, dlopen("/proc/self/fd/N") would return the old
    // library. Keep the fd (and so the number) while the library stays in memory.
    const std::string fd_path = "/proc/self/fd/" + std::to_string(memfd_);
    if (void* again = dlopen(fd_path.c_str(), RTLD_NOW | RTLD_NOLOAD)) {
      dlclose(again);
      still_loaded = true;
    }
  }
  if (memfd_ >= 0 && !still_loaded) ::close(memfd_);
}

// "/proc/self/fd/N" of a memfd made by the package loader reads as "/memfd:<name> (deleted)";
// messages should show <name> (package path and entry), not the fd.
std::string display_name(const std::string& path) {
  if (!path.starts_with("/proc/self/fd/")) return path;
  char target[512];
  ssize_t n = ::readlink(path.c_str(), target, sizeof(target) - 1);
  if (n <= 0) return path;
  std::string link(target, static_cast<std::size_t>(n));
  if (!link.starts_with("/memfd:")) return link;
  link.erase(0, 7);
  if (link.ends_with(" (deleted)")) link.erase(link.size() - 10);
  return link;
}

std::unique_ptr<ModelLibrary> ModelLibrary::open_file(const std::string& path) {
  if (int lent = take_loan(path); lent >= 0) {
    int fd = ::fcntl(lent, F_DUPFD_CLOEXEC, 0);
    PT2RUN_CHECK(fd >= 0, Io, "cannot duplicate the descriptor of '", path, "': ", std::strerror(errno));
    std::unique_ptr<ModelLibrary> lib(new ModelLibrary(display_name(path), fd));
    lib->lent_ = true;
    lib->prepare_and_load();
    return lib;
  }
  int src = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (src < 0) {
    int err = errno;
    fail(err == ENOENT ? ErrorCode::NotFound : ErrorCode::Io, "cannot open model library '", path,
         "': ", std::strerror(err));
  }
  const std::string name = display_name(path);
  std::unique_ptr<ModelLibrary> lib(new ModelLibrary(name, make_memfd(name)));
  // The kernel copies file to memfd directly.
  while (true) {
    ssize_t n = ::sendfile(lib->memfd_, src, nullptr, 1 << 30);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(src);
      fail(ErrorCode::Io, "copying '", path, "' into memory failed: ", std::strerror(err));
    }
    if (n == 0) break;
  }
  ::close(src);
  lib->prepare_and_load();
  return lib;
}

namespace {

// The fallbacks torch declares that pt2run refuses by name, with the reason
// (tools/shim_coverage.tsv).
struct RefusedFallback {
  const char* name;
  const char* reason;
};
constexpr RefusedFallback kRefusedFallbacks[] = {
#include "refused_fallbacks.inc"
};

}  // namespace

std::string missing_symbols_advice(const std::vector<std::string>& missing) {
  std::string reasons;
  for (const auto& s : missing)
    for (const auto& r : kRefusedFallbacks)
      if (s == r.name) reasons += s + ": " + r.reason + ". ";
  if (!reasons.empty()) return reasons;
  // pt2run runs the float32/bfloat16 oneDNN ops freezing emits (mkldnn_ops.cpp); what else
  // carries these names is torch's quantized oneDNN fusion (PT2E int8 with the X86 quantizer).
  const bool onednn = std::any_of(missing.begin(), missing.end(), [](const std::string& s) {
    return s.find("mkldnn") != std::string::npos || s.find("_pointwise") != std::string::npos;
  });
  if (onednn)
    return "These are oneDNN ops of a package exported with freezing that pt2run does not run: its "
           "quantized (int8) fusions. pt2run runs the float32, bfloat16 and float16 convolution and linear "
           "ones; export the float model, or quantize without freezing";
  return "Re-export without the ops that need them, or use a pt2run release that implements them";
}

void ModelLibrary::prepare_and_load() {
  struct stat st {};
  PT2RUN_CHECK(::fstat(memfd_, &st) == 0, Io, "fstat failed: ", std::strerror(errno));
  const auto size = static_cast<std::size_t>(st.st_size);
  PT2RUN_CHECK(size > 0, InvalidPackage, "model library '", name_, "' is empty");
  void* map = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd_, 0);
  PT2RUN_CHECK(map != MAP_FAILED, Io, "cannot map the copy of '", name_, "': ", std::strerror(errno));
  try {
    ElfImage image(static_cast<unsigned char*>(map), size, name_);
    PT2RUN_CHECK(image.machine() == host_elf_machine(), UnsupportedPackage, "model library '",
                 name_, "' is built for ", elf_machine_name(image.machine()), " but this host is ",
                 elf_machine_name(host_elf_machine()), ": export the model on a machine of this host's kind");
    std::vector<std::string> imports = image.undefined_symbols();
    std::vector<std::string> missing = missing_shim_symbols(imports);
    PT2RUN_CHECK(missing.empty(), MissingSymbol, "model library '", name_, "' needs ",
                 missing.size(), " function(s) pt2run does not provide: ",
                 join(missing, ", "), ". ", missing_symbols_advice(missing));
    std::vector<std::string> cxx;
    for (const auto& s : imports)
      if (is_libtorch_cxx_symbol(s)) cxx.push_back(s);
    PT2RUN_CHECK(cxx.empty(), UnsupportedPackage, "model library '", name_,
                 "' calls libtorch's C++ API directly (", cxx.size(), " symbols, e.g. ", cxx[0],
                 "), which only libtorch provides");
    dropped_ = image.remove_needed(is_libtorch);
    image.make_unique_symbols_global();
    image.redirect_import("__cxa_thread_atexit", kModelThreadAtexit);
    image.redirect_import("malloc", kModelMalloc);
    appended_ = find_appended_weights(image, name_);
    if (appended_) {
      weights_offset_ = appended_->offset;
      weights_size_ = appended_->size;
    } else if (auto embedded = find_embedded_weights(image)) {
      weights_offset_ = embedded->first;
      weights_size_ = embedded->second;
    }
  } catch (...) {
    ::munmap(map, size);
    throw;
  }
  ::munmap(map, size);
  make_shim_global();
  enable_model_input_checks();
  drop_model_exception_pools();
  const std::string fd_path = "/proc/self/fd/" + std::to_string(memfd_);
  handle_ = dlopen(fd_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) {
    const char* err = dlerror();
    fail(ErrorCode::InvalidPackage, "cannot load model library '", name_, "': ",
         err ? err : "unknown dynamic loader error");
  }
}

void* ModelLibrary::find_symbol(const char* name) const { return dlsym(handle_, name); }

void ModelLibrary::release_weights_copy() {
  if (weights_size_ == 0 || weights_released_) return;
  // Only whole pages: a hole punched into part of a page zeroes the rest of it, which may
  // hold other read-only data of the library.
  const auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t begin = (weights_offset_ + page - 1) / page * page;
  const uint64_t end = (weights_offset_ + weights_size_) / page * page;
  weights_released_ = true;
  if (end <= begin) return;
  // Best effort: if the kernel refuses, the copy simply stays.
  (void)::fallocate(memfd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(begin),
                    static_cast<off_t>(end - begin));
}

}  // namespace pt2run::detail
