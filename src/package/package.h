#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "package/zip_archive.h"

namespace pt2run::detail {

// The files of one model inside a .pt2 (data/aotinductor/<name>/...).
struct ModelFiles {
  std::string name;
  const ZipEntry* library = nullptr;   // the model .so (at most one per model)
  const ZipEntry* metadata = nullptr;  // <stem>.wrapper_metadata.json (or <stem>_metadata.json)
  const ZipEntry* weights_blob = nullptr;  // <stem>_weights.blob (binary_blob weights)
  const ZipEntry* weights_config = nullptr;  // weights_config.json (pickle_weights)
  const ZipEntry* wrapper_source = nullptr;  // <stem>.wrapper.cpp (generated host code)
  const ZipEntry* extern_nodes = nullptr;    // <stem>.wrapper.json (proxy-executor ops)
  // <root>models/<name>.json: the exported program, when the package carries it beside the
  // compiled model (torch.export's package_pt2 with exported_programs).
  const ZipEntry* exported_program = nullptr;
  std::string root;  // the archive root folder with its slash ("model/"), or ""
  std::vector<const ZipEntry*> files;  // every entry of the model, the above included
};

// A .pt2 package as written by torch._inductor.aoti_compile_and_package: a zip whose entries
// may sit under an archive root folder (<root>/data/aotinductor/<model>/...) or not (older
// writers).
class Pt2Package {
 public:
  // Throws Error(NotFound | InvalidPackage).
  static std::unique_ptr<Pt2Package> open(const std::string& path);
  // The same, refusing (Error(InvalidPackage)) a file whose SHA-256 is not `expect_sha256`
  // before anything in it is parsed; the digest is of the open file the package is then read
  // from, so replacing the file meanwhile changes nothing. Empty: no pin.
  static std::unique_ptr<Pt2Package> open(const std::string& path, const std::string& expect_sha256);
  // A package held in memory: copied into an anonymous in-memory file, so `data` may be
  // freed once this returns. `label` names it in messages.
  static std::unique_ptr<Pt2Package> open_buffer(const void* data, std::size_t size,
                                                 const std::string& label);

  const std::string& path() const { return archive_->path(); }
  const ZipArchive& archive() const { return *archive_; }
  // Model names in archive order; empty if the package holds no AOTInductor model.
  std::vector<std::string> model_names() const;
  // Throws Error(NotFound) naming the models the package does hold.
  ModelFiles model(const std::string& name) const;
  // The model's metadata as string pairs (AOTI_DEVICE_KEY, AOTI_CPU_ISA, ...); empty if the
  // package has none. Throws Error(InvalidPackage) if it is not a JSON object of strings.
  std::map<std::string, std::string> metadata(const ModelFiles& model) const;

 private:
  explicit Pt2Package(std::unique_ptr<ZipArchive> archive);
  std::unique_ptr<ZipArchive> archive_;
};

}  // namespace pt2run::detail
