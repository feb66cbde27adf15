#pragma once

// pt2run serve's Prometheus metrics: per-model request counts by status, a latency histogram
// and the requests in flight, plus the process's resident memory. Thread-safe.

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace pt2run::server {

class Metrics {
 public:
  // Upper bounds of the latency buckets, in seconds (+Inf is implied).
  static constexpr std::array<double, 13> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                      0.25,  0.5,    1,     2.5,  5,    10};

  void observe(const std::string& model, int status, double seconds);
  // The text exposition format; `in_flight` gives each served model's requests in flight.
  std::string render(const std::vector<std::pair<std::string, int64_t>>& in_flight) const;

 private:
  struct PerModel {
    std::map<int, uint64_t> by_status;
    std::array<uint64_t, kBuckets.size()> buckets{};  // cumulative counts are made at render
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::string, PerModel> models_;
};

}  // namespace pt2run::server
