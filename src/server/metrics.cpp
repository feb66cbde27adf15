#include "server/metrics.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

namespace pt2run::server {
namespace {

// Prometheus label values escape backslash, quote and newline.
std::string label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

uint64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace

void Metrics::forget(const std::string& model) {
  std::lock_guard lock(mutex_);
  models_.erase(model);
}

void Metrics::observe(const std::string& model, int status, double seconds) {
  std::lock_guard lock(mutex_);
  PerModel& m = models_[model];
  ++m.by_status[status];
  ++m.count;
  m.sum += seconds;
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) {
      ++m.buckets[i];
      break;
    }
}

void Metrics::observe_batch(const std::string& model, std::size_t requests, int64_t rows) {
  std::lock_guard lock(mutex_);
  PerModel& m = models_[model];
  ++m.batches;
  m.batched_requests += requests;
  m.batch_rows += static_cast<uint64_t>(rows);
  std::size_t i = 0;
  while (i < kBatchBuckets.size() && static_cast<double>(rows) > kBatchBuckets[i]) ++i;
  ++m.batch_buckets[i];
}

std::string Metrics::render(const std::vector<ModelGauges>& gauges) const {
  std::ostringstream out;
  out << "# HELP pt2run_requests_total Inference requests answered, by model and HTTP status.\n"
         "# TYPE pt2run_requests_total counter\n";
  std::lock_guard lock(mutex_);
  for (const auto& [model, m] : models_)
    for (const auto& [status, n] : m.by_status)
      out << "pt2run_requests_total{model=\"" << label(model) << "\",code=\"" << status << "\"} " << n << "\n";
  out << "# HELP pt2run_request_duration_seconds Time from a request's arrival to its answer.\n"
         "# TYPE pt2run_request_duration_seconds histogram\n";
  for (const auto& [model, m] : models_) {
    uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += m.buckets[i];
      out << "pt2run_request_duration_seconds_bucket{model=\"" << label(model) << "\",le=\"" << kBuckets[i]
          << "\"} " << cumulative << "\n";
    }
    out << "pt2run_request_duration_seconds_bucket{model=\"" << label(model) << "\",le=\"+Inf\"} " << m.count << "\n"
        << "pt2run_request_duration_seconds_sum{model=\"" << label(model) << "\"} " << m.sum << "\n"
        << "pt2run_request_duration_seconds_count{model=\"" << label(model) << "\"} " << m.count << "\n";
  }
  out << "# HELP pt2run_batch_rows Rows (first-dimension entries) per model run.\n"
         "# TYPE pt2run_batch_rows histogram\n";
  for (const auto& [model, m] : models_) {
    if (m.batches == 0) continue;
    uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBatchBuckets.size(); ++i) {
      cumulative += m.batch_buckets[i];
      out << "pt2run_batch_rows_bucket{model=\"" << label(model) << "\",le=\"" << kBatchBuckets[i] << "\"} "
          << cumulative << "\n";
    }
    out << "pt2run_batch_rows_bucket{model=\"" << label(model) << "\",le=\"+Inf\"} " << m.batches << "\n"
        << "pt2run_batch_rows_sum{model=\"" << label(model) << "\"} " << m.batch_rows << "\n"
        << "pt2run_batch_rows_count{model=\"" << label(model) << "\"} " << m.batches << "\n";
  }
  out << "# HELP pt2run_batch_requests_total Requests run, counted once per run they were part of.\n"
         "# TYPE pt2run_batch_requests_total counter\n";
  for (const auto& [model, m] : models_)
    if (m.batches) out << "pt2run_batch_requests_total{model=\"" << label(model) << "\"} " << m.batched_requests << "\n";
  out << "# HELP pt2run_requests_in_flight Inference requests being decoded, queued or running.\n"
         "# TYPE pt2run_requests_in_flight gauge\n";
  for (const auto& g : gauges)
    out << "pt2run_requests_in_flight{model=\"" << label(g.model) << "\"} " << g.in_flight << "\n";
  out << "# HELP pt2run_queue_depth Requests waiting for a model instance.\n"
         "# TYPE pt2run_queue_depth gauge\n";
  for (const auto& g : gauges)
    out << "pt2run_queue_depth{model=\"" << label(g.model) << "\"} " << g.queue_depth << "\n";
  out << "# HELP pt2run_resident_memory_bytes Resident memory of the server process.\n"
         "# TYPE pt2run_resident_memory_bytes gauge\n"
      << "pt2run_resident_memory_bytes " << resident_bytes() << "\n";
  return out.str();
}

}  // namespace pt2run::server
