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

std::string Metrics::render(const std::vector<std::pair<std::string, int64_t>>& in_flight) const {
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
  out << "# HELP pt2run_requests_in_flight Inference requests running or waiting for a model instance.\n"
         "# TYPE pt2run_requests_in_flight gauge\n";
  for (const auto& [model, n] : in_flight)
    out << "pt2run_requests_in_flight{model=\"" << label(model) << "\"} " << n << "\n";
  out << "# HELP pt2run_resident_memory_bytes Resident memory of the server process.\n"
         "# TYPE pt2run_resident_memory_bytes gauge\n"
      << "pt2run_resident_memory_bytes " << resident_bytes() << "\n";
  return out.str();
}

}  // namespace pt2run::server
