#include "package/package.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/check.h"
#include "core/mapped_file.h"

namespace pt2run::detail {
namespace {

constexpr std::string_view kModelsDir = "data/aotinductor/";

// "<root>/data/aotinductor/<model>/<rest>" or "data/aotinductor/<model>/<rest>" -> model.
std::string_view model_of(std::string_view entry_name) {
  std::size_t at = entry_name.find(kModelsDir);
  if (at == std::string_view::npos) return {};
  if (at != 0 && (entry_name[at - 1] != '/' ||
                  entry_name.substr(0, at - 1).find('/') != std::string_view::npos)) {
    return {};  // deeper than one root folder
  }
  std::string_view rest = entry_name.substr(at + kModelsDir.size());
  std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return {};
  return rest.substr(0, slash);
}

bool ends_with(std::string_view s, std::string_view suffix) { return s.ends_with(suffix); }

}  // namespace

Pt2Package::Pt2Package(std::unique_ptr<ZipArchive> archive) : archive_(std::move(archive)) {
  // Entries pt2run uses are CRC-checked as they are read or mapped; the small ones it may not
  // read (versions, kernel metadata) are checked here, so that a damaged download is refused
  // whole rather than run because the damage fell where nobody looks.
  constexpr uint64_t kSmall = uint64_t{1} << 20;
  for (const ZipEntry& entry : archive_->entries())
    if (entry.size <= kSmall) archive_->read(entry);
}

std::unique_ptr<Pt2Package> Pt2Package::open(const std::string& path) {
  return std::unique_ptr<Pt2Package>(new Pt2Package(ZipArchive::open(path)));
}

std::unique_ptr<Pt2Package> Pt2Package::open(const std::string& path, const std::string& expect_sha256) {
  return std::unique_ptr<Pt2Package>(new Pt2Package(ZipArchive::open(path, expect_sha256)));
}

std::unique_ptr<Pt2Package> Pt2Package::open_buffer(const void* data, std::size_t size,
                                                   const std::string& label) {
  PT2RUN_CHECK(data != nullptr || size == 0, InvalidArgument, "null package buffer");
  int fd = make_memfd(label);
  const auto* p = static_cast<const char*>(data);
  for (std::size_t left = size; left > 0;) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      fail(ErrorCode::OutOfMemory, "cannot copy package ", label, " into memory: ", std::strerror(err));
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return std::unique_ptr<Pt2Package>(new Pt2Package(ZipArchive::open_fd(fd, 0, size, label)));
}

std::vector<std::string> Pt2Package::model_names() const {
  std::vector<std::string> names;
  for (const auto& entry : archive_->entries()) {
    std::string_view model = model_of(entry.name);
    if (!model.empty() && std::find(names.begin(), names.end(), model) == names.end())
      names.emplace_back(model);
  }
  return names;
}

ModelFiles Pt2Package::model(const std::string& name) const {
  ModelFiles files;
  files.name = name;
  for (const auto& entry : archive_->entries()) {
    if (model_of(entry.name) != name) continue;
    files.files.push_back(&entry);
    std::string_view file = entry.name;
    if (ends_with(file, ".so")) {
      PT2RUN_CHECK(files.library == nullptr, InvalidPackage, "package '", path(), "': model '",
                   name, "' holds more than one .so");
      files.library = &entry;
    } else if (ends_with(file, "wrapper_metadata.json") ||
               (ends_with(file, "_metadata.json") && !ends_with(file, "kernel_metadata.json") &&
                files.metadata == nullptr)) {
      files.metadata = &entry;
    } else if (ends_with(file, "_weights.blob")) {
      files.weights_blob = &entry;
    } else if (ends_with(file, ".wrapper.json")) {
      files.extern_nodes = &entry;
    } else if (ends_with(file, "/weights_config.json")) {
      files.weights_config = &entry;
    } else if (ends_with(file, ".wrapper.cpp") ||
               (ends_with(file, ".cpp") && !ends_with(file, ".kernel.cpp") && !files.wrapper_source)) {
      files.wrapper_source = &entry;
    }
  }
  if (!files.files.empty()) {
    const std::string& first = files.files.front()->name;
    files.root = first.substr(0, first.find(kModelsDir));
    files.exported_program = archive_->find(files.root + "models/" + name + ".json");
  }
  if (files.files.empty()) {
    std::string available;
    for (const auto& model : model_names()) available += (available.empty() ? "" : ", ") + model;
    fail(ErrorCode::NotFound, "package '", path(), "' has no model named '", name, "'",
         available.empty() ? std::string("; it holds no AOTInductor model at all")
                           : "; it holds: " + available);
  }
  PT2RUN_CHECK(files.library != nullptr, NotImplemented, "package '", path(), "': model '", name,
               "' has no compiled library (.so); packages exported with "
               "aot_inductor.package_cpp_only=True must be compiled first");
  return files;
}

std::map<std::string, std::string> Pt2Package::metadata(const ModelFiles& model) const {
  std::map<std::string, std::string> result;
  if (model.metadata == nullptr) return result;
  std::string text = archive_->read(*model.metadata);
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  PT2RUN_CHECK(json.is_object(), InvalidPackage, "package '", path(), "': '",
               model.metadata->name, "' is not a JSON object");
  for (const auto& [key, value] : json.items()) {
    PT2RUN_CHECK(value.is_string(), InvalidPackage, "package '", path(), "': metadata key '", key,
                 "' is not a string");
    result[key] = value.get<std::string>();
  }
  return result;
}

}  // namespace pt2run::detail
