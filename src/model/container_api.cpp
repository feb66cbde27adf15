#include "model/container_api.h"

#include "core/check.h"

namespace pt2run::detail {
namespace {

template <class Fn>
void bind(const ModelLibrary& lib, Fn& slot, const char* symbol, bool required) {
  slot = reinterpret_cast<Fn>(lib.find_symbol(symbol));
  PT2RUN_CHECK(slot != nullptr || !required, InvalidPackage, "model library '", lib.name(),
               "' does not export ", symbol,
               ": it is not an AOTInductor model library, or one older than torch 2.6");
}

}  // namespace

ContainerApi ContainerApi::resolve(const ModelLibrary& lib) {
  ContainerApi api;
  bind(lib, api.create_with_device, "AOTInductorModelContainerCreateWithDevice", true);
  bind(lib, api.destroy, "AOTInductorModelContainerDelete", true);
  bind(lib, api.run, "AOTInductorModelContainerRun", true);
  bind(lib, api.get_num_inputs, "AOTInductorModelContainerGetNumInputs", true);
  bind(lib, api.get_num_outputs, "AOTInductorModelContainerGetNumOutputs", true);
  bind(lib, api.get_input_name, "AOTInductorModelContainerGetInputName", true);
  bind(lib, api.get_output_name, "AOTInductorModelContainerGetOutputName", true);
  bind(lib, api.get_num_constants, "AOTInductorModelContainerGetNumConstants", true);
  bind(lib, api.get_constant_name, "AOTInductorModelContainerGetConstantName", true);
  bind(lib, api.get_constant_original_fqn, "AOTInductorModelContainerGetConstantOriginalFQN", true);
  bind(lib, api.get_constant_dtype, "AOTInductorModelContainerGetConstantDtype", true);
  bind(lib, api.get_call_spec, "AOTInductorModelContainerGetCallSpec", true);
  bind(lib, api.update_constant_buffer, "AOTInductorModelContainerUpdateConstantBuffer", true);
  bind(lib, api.update_inactive_constant_buffer,
       "AOTInductorModelContainerUpdateInactiveConstantBuffer", true);
  bind(lib, api.run_constant_folding, "AOTInductorModelContainerRunConstantFolding", true);
  bind(lib, api.swap_constant_buffer, "AOTInductorModelContainerSwapConstantBuffer", true);

  bind(lib, api.run_single_threaded, "AOTInductorModelContainerRunSingleThreaded", false);
  bind(lib, api.get_constant_from_folded, "AOTInductorModelContainerGetConstantFromFolded", false);
  bind(lib, api.get_constant_type, "AOTInductorModelContainerGetConstantType", false);
  bind(lib, api.get_constant_data_size, "AOTInductorModelContainerGetConstantDataSize", false);
  bind(lib, api.get_constants_blob_size, "AOTInductorModelContainerGetConstantsBlobSize", false);
  bind(lib, api.extract_constants_map, "AOTInductorModelContainerExtractConstantsMap", false);
  bind(lib, api.update_user_managed_constant_buffer,
       "AOTInductorModelContainerUpdateUserManagedConstantBuffer", false);
  bind(lib, api.update_constant_buffer_pairs, "AOTInductorModelContainerUpdateConstantBufferPairs",
       false);
  bind(lib, api.update_user_managed_constant_buffer_pairs,
       "AOTInductorModelContainerUpdateUserManagedConstantBufferPairs", false);
  bind(lib, api.free_inactive_constant_buffer,
       "AOTInductorModelContainerFreeInactiveConstantBuffer", false);
  bind(lib, api.update_constants_from_blob, "AOTInductorModelUpdateConstantsFromBlob", false);
  bind(lib, api.get_last_error, "AOTInductorGetLastError", false);
  bind(lib, api.did_call_load_constants, "AOTInductorModelContainerDidCallLoadConstants", false);
  return api;
}

}  // namespace pt2run::detail
