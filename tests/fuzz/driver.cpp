// A mutation fuzzer for compilers without libFuzzer: starts from the target's seeds and the
// files given, applies random edits (bit flips, overwritten length fields, insertions,
// deletions, truncation, splicing) and feeds each result to the target until time runs out.
// A sanitizer report aborts the process, which fails the test.
//
// Usage: <target> SECONDS [SEED_FILE...]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "fuzz/fuzz_target.h"

namespace {

std::string mutate(std::string s, const std::vector<std::string>& pool, std::mt19937_64& rng) {
  auto pick = [&](std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng() % n); };
  static const uint64_t kInteresting[] = {0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF,
                                          0x100000000ULL, 0x7FFFFFFFFFFFFFFFULL, ~0ULL};
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits; ++e) {
    switch (rng() % 7) {
      case 0:
        if (!s.empty()) s[pick(s.size())] ^= static_cast<char>(1 << (rng() % 8));
        break;
      case 1:
        if (!s.empty()) s[pick(s.size())] = static_cast<char>(rng());
        break;
      case 2: {  // an integer field set to an edge value
        const uint64_t v = kInteresting[pick(std::size(kInteresting))];
        const std::size_t width = std::size_t{1} << (rng() % 4);
        if (s.size() >= width) {
          const std::size_t at = pick(s.size() - width + 1);
          for (std::size_t i = 0; i < width; ++i) s[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
        }
        break;
      }
      case 3:
        s.insert(pick(s.size() + 1), std::string(1 + rng() % 16, static_cast<char>(rng())));
        break;
      case 4:
        if (!s.empty()) {
          const std::size_t at = pick(s.size());
          s.erase(at, 1 + pick(std::min<std::size_t>(s.size() - at, 64)));
        }
        break;
      case 5:
        s.resize(pick(s.size() + 1));
        break;
      case 6: {
        const std::string& other = pool[pick(pool.size())];
        if (!other.empty() && !s.empty()) {
          const std::size_t cut = pick(s.size()), from = pick(other.size());
          s = s.substr(0, cut) + other.substr(from);
        }
        break;
      }
    }
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s SECONDS [SEED_FILE...]\n", argv[0]);
    return 2;
  }
  const double seconds = std::atof(argv[1]);
  std::vector<std::string> pool = pt2run_fuzz_seeds();
  for (int i = 2; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    pool.push_back(bytes.str());
  }
  pool.emplace_back();
  std::mt19937_64 rng(0x5eed);
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  long runs = 0;
  for (const auto& seed : pool) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(seed.data()), seed.size());
    ++runs;
  }
  while (std::chrono::steady_clock::now() < end) {
    for (int i = 0; i < 64; ++i, ++runs) {
      std::string input = mutate(pool[rng() % pool.size()], pool, rng);
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
      // Keep some mutants: edits build on each other.
      if (rng() % 256 == 0 && pool.size() < 256) pool.push_back(std::move(input));
    }
  }
  std::printf("%ld inputs, no crash\n", runs);
  return 0;
}
