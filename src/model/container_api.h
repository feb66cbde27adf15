#pragma once

// The C interface every AOTInductor model library exports (aoti-abi.md §1), resolved with
// dlsym. pt2run's own declarations of those types and signatures.

#include <cstddef>
#include <cstdint>
#include <string>

#include "model/model_library.h"
#include "shim/aoti_shim.h"

struct AOTInductorModelContainerOpaque;
using AOTInductorModelContainerHandle = AOTInductorModelContainerOpaque*;
struct AOTInductorStreamOpaque;
using AOTInductorStreamHandle = AOTInductorStreamOpaque*;
struct AOTInductorConstantMap;
using AOTInductorConstantMapHandle = AOTInductorConstantMap*;
struct AOTInductorConstantMapEntry {
  const char* name;
  AtenTensorHandle handle;
};
using AOTIRuntimeError = int32_t;

namespace pt2run::detail {

struct ContainerApi {
  using Container = AOTInductorModelContainerHandle;
  using Stream = AOTInductorStreamHandle;
  using Proxy = AOTIProxyExecutorHandle;
  using Map = AOTInductorConstantMapHandle;
  using Entry = AOTInductorConstantMapEntry;

  // Required: present in every model library pt2run supports (torch >= 2.6).
  AOTIRuntimeError (*create_with_device)(Container*, size_t, const char*, const char*) = nullptr;
  AOTIRuntimeError (*destroy)(Container) = nullptr;
  AOTIRuntimeError (*run)(Container, AtenTensorHandle*, size_t, AtenTensorHandle*, size_t, Stream,
                          Proxy) = nullptr;
  AOTIRuntimeError (*get_num_inputs)(Container, size_t*) = nullptr;
  AOTIRuntimeError (*get_num_outputs)(Container, size_t*) = nullptr;
  AOTIRuntimeError (*get_input_name)(Container, size_t, const char**) = nullptr;
  AOTIRuntimeError (*get_output_name)(Container, size_t, const char**) = nullptr;
  AOTIRuntimeError (*get_num_constants)(Container, size_t*) = nullptr;
  AOTIRuntimeError (*get_constant_name)(Container, size_t, const char**) = nullptr;
  AOTIRuntimeError (*get_constant_original_fqn)(Container, size_t, const char**) = nullptr;
  AOTIRuntimeError (*get_constant_dtype)(Container, size_t, int32_t*) = nullptr;
  AOTIRuntimeError (*get_call_spec)(Container, const char**, const char**) = nullptr;
  AOTIRuntimeError (*update_constant_buffer)(Container, Map, bool, bool) = nullptr;
  AOTIRuntimeError (*update_inactive_constant_buffer)(Container, Map) = nullptr;
  AOTIRuntimeError (*run_constant_folding)(Container, bool, Stream, Proxy) = nullptr;
  AOTIRuntimeError (*swap_constant_buffer)(Container) = nullptr;

  // Optional: newer libraries only (nullptr when absent).
  AOTIRuntimeError (*run_single_threaded)(Container, AtenTensorHandle*, size_t, AtenTensorHandle*,
                                          size_t, Stream, Proxy) = nullptr;
  AOTIRuntimeError (*get_constant_from_folded)(Container, size_t, bool*) = nullptr;
  AOTIRuntimeError (*get_constant_type)(Container, size_t, int32_t*) = nullptr;
  AOTIRuntimeError (*get_constant_data_size)(Container, size_t, size_t*) = nullptr;
  AOTIRuntimeError (*get_constants_blob_size)(Container, uint64_t*) = nullptr;
  AOTIRuntimeError (*extract_constants_map)(Container, Map, bool) = nullptr;
  AOTIRuntimeError (*update_user_managed_constant_buffer)(Container, Map, bool, bool) = nullptr;
  AOTIRuntimeError (*update_constant_buffer_pairs)(Container, const Entry*, size_t, bool, bool) = nullptr;
  AOTIRuntimeError (*update_user_managed_constant_buffer_pairs)(Container, const Entry*, size_t, bool,
                                                                bool) = nullptr;
  AOTIRuntimeError (*free_inactive_constant_buffer)(Container) = nullptr;
  AOTIRuntimeError (*update_constants_from_blob)(Container, const uint8_t*) = nullptr;
  AOTIRuntimeError (*get_last_error)(const char**) = nullptr;
  AOTIRuntimeError (*did_call_load_constants)(Container, bool*) = nullptr;

  // Throws Error(InvalidPackage) naming the missing entry point if a required one is absent.
  static ContainerApi resolve(const ModelLibrary& library);
};

}  // namespace pt2run::detail
