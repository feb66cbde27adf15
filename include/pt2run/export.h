#pragma once

// Symbols of libpt2run are hidden unless marked: the library exports the pt2run C++ API
// and the aoti_torch_* C shim, nothing else.
#define PT2RUN_API __attribute__((visibility("default")))
