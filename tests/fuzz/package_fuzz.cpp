// The package readers on untrusted bytes: the zip archive (as a .pt2 would be read), the
// pickle record of pickle_weights files, the generated-source parser and the exported
// program's input names (models/<name>.json).

#include <sstream>
#include <string_view>

#include "fuzz/fuzz_target.h"
#include "package/exported_signature.h"
#include "package/model_source.h"
#include "package/pickled_tensor.h"
#include "package/zip_archive.h"
#include "package/zip_writer.h"
#include "pt2run/error.h"

std::vector<std::string> pt2run_fuzz_seeds() {
  std::ostringstream zip;
  pt2run::detail::ZipWriter writer(zip);
  writer.add("model/data/aotinductor/model/x.wrapper.cpp",
             "    constants_info_[0].name = \"w\";\n    constants_info_[0].shape = {4, 2};\n"
             "    constants_info_[0].stride = {2, 1};\n    inputs_info_[0].name = \"arg0_1\";\n");
  writer.add("model/archive_format", "pt2");
  writer.add("model/models/model.json",
             R"({"graph_module": {"signature": {"input_specs": [{"user_input": {"arg": {"as_tensor": )"
             R"({"name": "input_ids"}}}}, {"parameter": {"arg": {"name": "p_w"}}}]}}})");
  writer.finish();
  const char pickle[] =
      "\x80\x02" "ctorch._utils\n_rebuild_tensor_v2\nq\x01((X\x07\x00\x00\x00storageq\x02"
      "ctorch\nFloatStorage\nq\x03X\x01\x00\x00\x00" "0q\x04X\x03\x00\x00\x00" "cpuq\x05K\x80tq\x06Q.";
  return {zip.str(), std::string(pickle, sizeof(pickle) - 1)};
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    auto zip = pt2run::detail::ZipArchive::open_memory(data, size, "fuzz");
    for (const auto& entry : zip->entries()) {
      if (entry.size > (1u << 20)) continue;  // the reader streams; keep each run small
      const std::string text = zip->read(entry);
      pt2run::detail::parse_model_source(text);
      try {
        pt2run::detail::user_input_names(text, "fuzz");
      } catch (const pt2run::Error&) {
      }
    }
  } catch (const pt2run::Error&) {
  }
  try {
    pt2run::detail::read_pickled_storage(bytes, "fuzz");
  } catch (const pt2run::Error&) {
  }
  pt2run::detail::parse_model_source(bytes);
  return 0;
}
