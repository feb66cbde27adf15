// A tiny C library the DLPack round-trip test loads into Python with ctypes: it exposes
// pt2run's to_dlpack / from_dlpack to numpy's __dlpack__ / from_dlpack.

#include <dlpack/dlpack.h>

#include "pt2run/pt2run.h"

#define HELPER_API __attribute__((visibility("default")))

extern "C" {

// Reads an .npy with pt2run and exports it (the caller hands it to numpy, which calls the
// deleter). nullptr on error.
HELPER_API DLManagedTensor* pt2run_test_export_npy(const char* path) {
  try {
    return pt2run::to_dlpack(pt2run::read_tensors(path).at(0).second);
  } catch (...) {
    return nullptr;
  }
}

// Imports a numpy export, writes it as .npy with pt2run, then drops it (running the
// deleter). Returns 0 on success.
HELPER_API int pt2run_test_import_to_npy(DLManagedTensor* managed, const char* path) {
  try {
    pt2run::Tensor t = pt2run::from_dlpack(managed);
    pt2run::write_tensors(path, {{"x", t}});
    return 0;
  } catch (...) {
    return 1;
  }
}

HELPER_API void* pt2run_test_data(DLManagedTensor* managed) { return managed->dl_tensor.data; }

}
