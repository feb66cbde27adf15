#pragma once

// A fuzz target: LLVMFuzzerTestOneInput must accept any bytes and either succeed or throw
// pt2run::Error — never crash, hang, leak or read out of bounds (the sanitizers check). Built
// with libFuzzer under Clang, or with driver.cpp (a small mutation fuzzer) under GCC.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

// Valid inputs the mutations start from.
std::vector<std::string> pt2run_fuzz_seeds();
