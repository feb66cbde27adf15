// What checking a package costs at load: the CRC-32 of mapped entries (crc32_of, on all cores)
// and the SHA-256 of a pinned package, over an in-memory buffer of SIZE MiB, best of 5.
//
// Usage: pt2run_integrity_bench [SIZE_MIB=1024]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "package/sha256.h"
#include "package/zip_archive.h"

namespace {

template <class Fn>
double best_seconds(Fn&& fn) {
  double best = 1e30;
  for (int i = 0; i < 5; ++i) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t mib = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1024;
  std::vector<unsigned char> data(mib << 20);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<unsigned char>(i * 2654435761u >> 13);
  volatile uint32_t sink = 0;
  const double crc = best_seconds([&] { sink = sink + pt2run::detail::crc32_of(data.data(), data.size()); });
  const double sha = best_seconds([&] { pt2run::detail::sha256_hex(-1, 0, data.size(), data.data(), "buffer"); });
  const double gb = static_cast<double>(data.size()) / 1e9;
  std::printf("{\"mib\": %zu, \"cores\": %u, \"crc32_gb_per_s\": %.2f, \"crc32_ms\": %.1f, "
              "\"sha256_gb_per_s\": %.2f, \"sha256_ms\": %.1f}\n",
              mib, std::thread::hardware_concurrency(), gb / crc, crc * 1000, gb / sha, sha * 1000);
  return 0;
}
