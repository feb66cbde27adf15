#include "package/package_weights.h"

#include <unistd.h>

#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/check.h"
#include "core/mapped_file.h"
#include "package/pickled_tensor.h"

namespace pt2run::detail {
namespace {

// A torch.save'd tensor file as a flat tensor over its whole storage.
Tensor load_saved_storage(const Pt2Package& package, const ZipEntry& file) {
  const ZipArchive& outer = package.archive();
  const std::string what = "'" + file.name + "' in package '" + package.path() + "'";
  std::unique_ptr<ZipArchive> inner;
  if (file.method == 0) {
    int fd = ::dup(outer.fd());
    PT2RUN_CHECK(fd >= 0, Io, "cannot reopen package '", package.path(), "'");
    inner = ZipArchive::open_fd(fd, outer.fd_offset(file), file.size, what, "torch.save file");
  } else {
    std::string bytes = outer.read(file);
    int fd = make_memfd(what);
    PT2RUN_CHECK(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()), Io,
                 "cannot copy ", what, " into memory");
    inner = ZipArchive::open_fd(fd, 0, bytes.size(), what, "torch.save file");
  }
  const ZipEntry* pickle = nullptr;
  for (const auto& e : inner->entries())
    if (e.name == "data.pkl" || e.name.ends_with("/data.pkl")) pickle = &e;
  PT2RUN_CHECK(pickle != nullptr, InvalidPackage, what, " is not a torch.save file (no data.pkl)");
  PickledStorage storage = read_pickled_storage(inner->read(*pickle), what);
  const std::string data_name = pickle->name.substr(0, pickle->name.size() - 8) + "data/" + storage.key;
  const ZipEntry* data = inner->find(data_name);
  PT2RUN_CHECK(data != nullptr, InvalidPackage, what, " has no entry '", data_name, "'");
  const uint64_t nbytes = storage.numel * element_size(storage.dtype);
  PT2RUN_CHECK(data->size == nbytes, InvalidPackage, what, ": '", data_name, "' has ", data->size,
               " bytes but its record says ", storage.numel, " x ", dtype_name(storage.dtype));
  const auto numel = static_cast<int64_t>(storage.numel);
  if (data->method == 0 && nbytes > 0) {
    auto mapping = std::make_shared<MappedFile>(MappedFile::map(inner->fd(), inner->fd_offset(*data), nbytes, what));
    inner->check_crc(*data, mapping->data());
    return Tensor::from_blob(mapping->data(), {numel}, storage.dtype, Device::cpu(),
                             [mapping](void*) mutable { mapping.reset(); });
  }
  Tensor t = Tensor::empty({numel}, storage.dtype);
  std::string bytes = inner->read(*data);
  if (!bytes.empty()) std::memcpy(t.data_ptr(), bytes.data(), bytes.size());
  return t;
}

std::vector<int64_t> int_list(const nlohmann::json& j, const std::string& what) {
  PT2RUN_CHECK(j.is_array(), InvalidPackage, what, ": expected a list of integers");
  std::vector<int64_t> values;
  for (const auto& v : j) {
    PT2RUN_CHECK(v.is_number_integer(), InvalidPackage, what, ": expected a list of integers");
    values.push_back(v.get<int64_t>());
  }
  return values;
}

}  // namespace

std::unordered_map<std::string, Tensor> load_pickle_weights(const Pt2Package& package,
                                                            const ModelFiles& model) {
  PT2RUN_CHECK(model.weights_config != nullptr, Internal, "no weights_config.json");
  const std::string config_name = model.weights_config->name;
  auto config = nlohmann::json::parse(package.archive().read(*model.weights_config), nullptr, false);
  PT2RUN_CHECK(config.is_object(), InvalidPackage, "package '", package.path(), "': '", config_name,
               "' is not a JSON object");
  std::unordered_map<std::string, Tensor> storages;  // file -> flat storage tensor
  std::unordered_map<std::string, Tensor> weights;
  for (const auto& [fqn, entry] : config.items()) {
    const std::string what = "package '" + package.path() + "': '" + config_name + "' entry '" + fqn + "'";
    PT2RUN_CHECK(entry.is_array() && entry.size() == 4 && entry[0].is_string() &&
                     entry[3].is_number_integer(),
                 InvalidPackage, what, " is not [file, shape, stride, offset]");
    const std::string file = entry[0].get<std::string>();
    auto it = storages.find(file);
    if (it == storages.end()) {
      const std::string entry_name = model.root + "data/weights/" + file;
      const ZipEntry* zip_entry = package.archive().find(entry_name);
      PT2RUN_CHECK(zip_entry != nullptr, InvalidPackage, what, " names '", entry_name,
                   "', which the package does not hold");
      it = storages.emplace(file, load_saved_storage(package, *zip_entry)).first;
    }
    std::vector<int64_t> sizes = int_list(entry[1], what), strides = int_list(entry[2], what);
    const int64_t offset = entry[3].get<int64_t>();
    PT2RUN_CHECK(sizes.size() == strides.size(), InvalidPackage, what, ": shape and stride differ in rank");
    try {
      weights.emplace(fqn, it->second.as_strided(sizes, strides, offset));
    } catch (const Error& e) {
      fail(ErrorCode::InvalidPackage, what, " does not fit its storage: ", e.what());
    }
  }
  return weights;
}

}  // namespace pt2run::detail
