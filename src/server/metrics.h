#pragma once

// pt2run serve's Prometheus metrics: per-model request counts by status, a latency histogram,
// batch sizes, the requests in flight and queued, plus the process's resident memory. Thread-safe.

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

  // Upper bounds of the batch-size buckets, in rows.
  static constexpr std::array<double, 8> kBatchBuckets = {1, 2, 4, 8, 16, 32, 64, 128};

  struct ModelGauges {
    std::string model;
    int64_t in_flight = 0;    // infer requests being decoded, queued or running
    int64_t queue_depth = 0;  // requests waiting for an instance
  };

  void observe(const std::string& model, int status, double seconds);
  // One run of `requests` requests stacked into `rows` rows.
  void observe_batch(const std::string& model, std::size_t requests, int64_t rows);
  // Drops a model's series (it was unloaded): series exist only for served models.
  void forget(const std::string& model);
  // The text exposition format, with each served model's gauges.
  std::string render(const std::vector<ModelGauges>& gauges) const;

 private:
  struct PerModel {
    std::map<int, uint64_t> by_status;
    std::array<uint64_t, kBuckets.size()> buckets{};  // cumulative counts are made at render
    uint64_t count = 0;
    double sum = 0;
    std::array<uint64_t, kBatchBuckets.size() + 1> batch_buckets{};  // the last: above every bound
    uint64_t batches = 0, batched_requests = 0, batch_rows = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::string, PerModel> models_;
};

}  // namespace pt2run::server
