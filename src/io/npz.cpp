#include "io/npz.h"

#include <set>
#include <sstream>

#include "core/check.h"
#include "io/npy.h"
#include "package/zip_archive.h"
#include "package/zip_writer.h"

namespace pt2run::io {
namespace {

// Error::what() starts with "pt2run: "; a message that wraps another drops the inner one.
std::string without_prefix(const char* message) {
  std::string_view m(message);
  return std::string(m.starts_with("pt2run: ") ? m.substr(8) : m);
}

}  // namespace

NamedTensors parse_npz(std::span<const std::byte> bytes, const std::string& what) {
  std::unique_ptr<detail::ZipArchive> zip;
  try {
    // The zip reader quotes the name itself.
    const bool quoted = what.size() >= 2 && what.front() == '\'' && what.back() == '\'';
    zip = detail::ZipArchive::open_memory(bytes.data(), bytes.size(),
                                          quoted ? what.substr(1, what.size() - 2) : what, ".npz file");
  } catch (const Error& e) {
    throw Error(ErrorCode::InvalidArgument, without_prefix(e.what()));
  }
  NamedTensors result;
  for (const auto& entry : zip->entries()) {
    if (entry.name.ends_with("/")) continue;  // a folder
    const std::string member = what + " member '" + entry.name + "'";
    std::string data;
    try {
      data = zip->read(entry);
    } catch (const Error& e) {
      detail::fail(ErrorCode::InvalidArgument, member, " cannot be read: ", without_prefix(e.what()));
    }
    std::string name = entry.name.ends_with(".npy") ? entry.name.substr(0, entry.name.size() - 4) : entry.name;
    result.emplace_back(std::move(name), parse_npy(std::as_bytes(std::span(data)), member));
  }
  return result;
}

std::string encode_npz(const NamedTensors& tensors) {
  std::ostringstream out;
  detail::ZipWriter zip(out);
  std::set<std::string> names;
  for (const auto& [name, tensor] : tensors) {
    PT2RUN_CHECK(names.insert(name).second, InvalidArgument, "cannot write two arrays named '", name,
                 "' to .npz");
    zip.add(name + ".npy", encode_npy(tensor));
  }
  zip.finish();
  return std::move(out).str();
}

}  // namespace pt2run::io
