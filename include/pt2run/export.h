#pragma once

// Symbols of libpt2run are hidden unless marked: the library exports the pt2run C++ API
// and the aoti_torch_* C shim, nothing else.
#define PT2RUN_API __attribute__((visibility("default")))
// The few internals libpt2run_cuda (a plugin built from the same sources and version) calls.
// Exported, but not API: no compatibility promise outside one pt2run build.
#define PT2RUN_PLUGIN_API __attribute__((visibility("default")))
