// pt2run bench: load time, first run, latency percentiles, throughput and peak memory.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/commands.h"
#include "cli/thread_choice.h"
#include "cli/inputs.h"
#include "pt2run/cuda.h"
#include "pt2run/pt2run.h"

namespace pt2run::cli {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double rank = p / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(rank);
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - static_cast<double>(lo));
}

// Mean and sample standard deviation (n - 1; 0 for fewer than two runs), as
// onnxruntime_perf_test and trtexec report beside the percentiles.
std::pair<double, double> mean_and_stddev(const std::vector<double>& values) {
  if (values.empty()) return {0, 0};
  double mean = 0;
  for (double v : values) mean += v / static_cast<double>(values.size());
  if (values.size() < 2) return {mean, 0};
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  return {mean, std::sqrt(squares / static_cast<double>(values.size() - 1))};
}

// This process's peak resident set, from /proc/self/status (VmHWM). Not getrusage's
// ru_maxrss: after fork + exec that keeps the parent's peak, so a benchmark started from a
// Python process holding torch would report torch's memory as ours.
double peak_rss_mib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmHWM:")) return std::stod(line.substr(6)) / 1024.0;  // kB
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

std::string cpu_name() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);)
    if (line.starts_with("model name")) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

// A bar on stderr when it is a terminal, redrawn at most ten times a second.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled && ::isatty(STDERR_FILENO)), start_(Clock::now()) {}
  void update(double fraction) {
    if (!enabled_ || ms_since(start_) < 1000 || ms_since(last_) < 100) return;
    last_ = Clock::now();
    const int width = 40, filled = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * width);
    std::fprintf(stderr, "\r[%s%s] %3d%%", std::string(filled, '#').c_str(),
                 std::string(width - filled, ' ').c_str(), static_cast<int>(fraction * 100));
    drawn_ = true;
  }
  ~Progress() {
    if (drawn_) std::fprintf(stderr, "\r%60s\r", "");
  }

 private:
  bool enabled_;
  bool drawn_ = false;
  Clock::time_point start_, last_{};
};

}  // namespace

int bench_command(const BenchOptions& o) {
  if (o.iterations > 0 && o.duration > 0)
    throw UsageError{"--iterations and --duration exclude each other", "give one"};
  if (o.concurrency < 1 || o.warmup < 0 || o.iterations < 0 || o.duration < 0 || o.num_models < 0)
    throw UsageError{"--concurrency must be at least 1, and counts and durations not negative", ""};
  const int iterations = o.iterations > 0 ? o.iterations : (o.duration > 0 ? 0 : 100);
  const int num_models = o.num_models > 0 ? o.num_models : o.concurrency;

  if (!o.expect_sha256.empty()) check_package_sha256(o.package, o.expect_sha256);
  ModelInfo info = inspect_model(o.package, o.model);
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& s : o.shapes) shapes.insert(parse_shape_argument(s));
  std::vector<Tensor> inputs = o.inputs_file.empty() ? random_inputs(info, shapes)
                                                     : load_inputs(info, o.inputs_file, {});
  const ThreadChoice thread_choice = choose_threads(o.threads, num_models);

  if (o.no_packed_weights) set_packed_weights(false);
  auto start = Clock::now();
  LoaderOptions loader_options;
  loader_options.model_name = o.model;
  loader_options.num_runners = static_cast<std::size_t>(num_models);
  loader_options.expect_sha256 = o.expect_sha256;
  AOTIModelPackageLoader loader(o.package, loader_options);
  const double load_ms = ms_since(start);
  // Inputs live on the model's device, as a service keeps them; each run waits for its outputs.
  const Device device = Device::parse(loader.get_runner()->device_str());
  if (o.cuda_graphs) {
    if (device.type != DeviceType::CUDA)
      throw UsageError{"--cuda-graphs needs a CUDA package; this one runs on " + device.str(), ""};
    if (num_models != 1)
      throw UsageError{"--cuda-graphs runs one model instance", "leave out --concurrency and --num-models"};
    enable_cuda_graphs(*loader.get_runner());
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) inputs[i] = inputs[i].to(input_device(info, i, device));
  start = Clock::now();
  loader.run(inputs);
  const double first_run_ms = ms_since(start);
  for (int i = 0; i < o.warmup; ++i) loader.run(inputs);
  if (o.profile) {
    reset_shim_profile();
    set_shim_profiling(true);
  }

  std::vector<double> latencies;
  std::mutex latencies_mutex;
  std::atomic<int> started{0}, finished{0};
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration));
  Progress progress(!o.json);
  const auto bench_start = Clock::now();
  auto worker = [&] {
    std::vector<double> mine;
    while (true) {
      if (iterations > 0 ? started.fetch_add(1) >= iterations : Clock::now() >= deadline) break;
      const auto t0 = Clock::now();
      loader.run(inputs);
      mine.push_back(ms_since(t0));
      ++finished;
    }
    std::lock_guard lock(latencies_mutex);
    latencies.insert(latencies.end(), mine.begin(), mine.end());
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < o.concurrency; ++t) threads.emplace_back(worker);
  while (finished.load() < iterations || (iterations == 0 && Clock::now() < deadline)) {
    progress.update(iterations > 0 ? static_cast<double>(finished.load()) / iterations
                                   : ms_since(bench_start) / (o.duration * 1000));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (iterations > 0 && finished.load() >= iterations) break;
  }
  for (auto& t : threads) t.join();
  const double wall_ms = ms_since(bench_start);
  set_shim_profiling(false);
  std::sort(latencies.begin(), latencies.end());
  const double throughput = latencies.empty() ? 0 : static_cast<double>(latencies.size()) / (wall_ms / 1000.0);
  const auto [mean_ms, stddev_ms] = mean_and_stddev(latencies);

  const CpuKernels cpu = cpu_kernels();
  const std::string kernels = device.type == DeviceType::CPU
                                  ? "GEMM " + cpu.gemm + ", convolution " + cpu.convolution
                                  : "the " + device.str() + " backend's";
  nlohmann::json j = {
      {"package", o.package}, {"model", o.model}, {"machine", cpu_name()},
      {"hardware_threads", std::thread::hardware_concurrency()}, {"threads_per_run", thread_choice.per_run},
      {"threads_chosen_by", thread_choice.why}, {"kernels", kernels},
      {"packed_weights_mib", static_cast<double>(packed_weight_stats().bytes) / (1 << 20)},
      {"concurrency", o.concurrency}, {"num_models", num_models}, {"runs", latencies.size()},
      {"load_ms", load_ms}, {"first_run_ms", first_run_ms},
      {"latency_ms", {{"min", latencies.empty() ? 0 : latencies.front()}, {"p50", percentile(latencies, 50)},
                      {"p90", percentile(latencies, 90)}, {"p99", percentile(latencies, 99)},
                      {"max", latencies.empty() ? 0 : latencies.back()}, {"mean", mean_ms},
                      {"stddev", stddev_ms}}},
      {"throughput_per_s", throughput}, {"peak_rss_mib", peak_rss_mib()}};
  if (o.cuda_graphs) {
    const CudaGraphStats g = cuda_graph_stats(*loader.get_runner());
    j["cuda_graphs"] = {{"graphs", g.graphs}, {"replays", g.replays}, {"eager_runs", g.eager_runs},
                        {"failed_captures", g.failed_captures}, {"last_failure", g.last_failure}};
  }
  if (o.raw_latencies) j["latencies_ms"] = latencies;
  // Per run: each pt2run function's calls and time; the rest of a run is the model's own code.
  const double runs = std::max<double>(1, static_cast<double>(latencies.size()));
  double run_ms = 0, shim_ms = 0;
  for (double l : latencies) run_ms += l / runs;
  std::vector<ShimCallStats> profile = o.profile ? shim_profile() : std::vector<ShimCallStats>{};
  // Packages exported with kernel profiling also time each generated kernel (regions).
  std::vector<ShimCallStats> regions = o.profile ? region_profile() : std::vector<ShimCallStats>{};
  if (o.profile) {
    auto per_run_rows = [&](const std::vector<ShimCallStats>& stats, const char* key) {
      nlohmann::json rows = nlohmann::json::array();
      for (const auto& p : stats)
        rows.push_back({{key, p.function}, {"calls_per_run", static_cast<double>(p.calls) / runs},
                        {"ms_per_run", p.total_ms / runs}});
      return rows;
    };
    for (const auto& p : profile) shim_ms += p.total_ms / runs;
    j["profile"] = {{"mean_run_ms", run_ms}, {"pt2run_functions_ms", shim_ms},
                    {"model_code_ms", run_ms - shim_ms}, {"functions", per_run_rows(profile, "function")},
                    {"regions", per_run_rows(regions, "region")}};
  }
  if (o.json) {
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  const std::string per_run = std::to_string(thread_choice.per_run) + " thread(s) (" + thread_choice.why + ")";
  std::printf("%s (model '%s')\non %s (%u hardware threads), %s per run\n", o.package.c_str(),
              o.model.c_str(), cpu_name().c_str(), std::thread::hardware_concurrency(), per_run.c_str());
  std::printf("kernels     %s\npacked      %9.3f MiB of constant weights in the kernels' layout\n", kernels.c_str(),
              static_cast<double>(packed_weight_stats().bytes) / (1 << 20));
  std::printf("load        %9.2f ms\nfirst run   %9.2f ms\n", load_ms, first_run_ms);
  std::printf("runs        %9zu  (concurrency %d, %d model instance(s))\n", latencies.size(), o.concurrency, num_models);
  std::printf("latency ms  min %.3f  p50 %.3f  p90 %.3f  p99 %.3f  max %.3f  mean %.3f  sd %.3f\n",
              latencies.empty() ? 0 : latencies.front(), percentile(latencies, 50), percentile(latencies, 90),
              percentile(latencies, 99), latencies.empty() ? 0 : latencies.back(), mean_ms, stddev_ms);
  std::printf("throughput  %9.1f runs/s\npeak RSS    %9.1f MiB\n", throughput, peak_rss_mib());
  if (o.profile) {
    std::printf("\nprofile, per run (mean %.3f ms): pt2run's functions %.3f ms, the model's own code %.3f ms\n",
                run_ms, shim_ms, run_ms - shim_ms);
    auto print_rows = [&](const std::vector<ShimCallStats>& stats, const char* heading) {
      std::printf("  %-52s %10s %10s %6s\n", heading, "calls/run", "ms/run", "share");
      for (const auto& p : stats) {
        const double ms = p.total_ms / runs;
        if (ms < 0.0005 * run_ms) continue;  // the long tail of getters
        std::printf("  %-52s %10.1f %10.3f %5.1f%%\n", p.function.c_str(), static_cast<double>(p.calls) / runs, ms,
                    run_ms > 0 ? 100 * ms / run_ms : 0.0);
      }
    };
    print_rows(profile, "function");
    if (!regions.empty()) {
      std::printf("\nthe package's profiling regions (kernels and fallback calls), per run\n");
      print_rows(regions, "region");
    }
  }
  if (o.cuda_graphs) {
    const CudaGraphStats g = cuda_graph_stats(*loader.get_runner());
    std::printf("CUDA graphs %9zu replays, %zu eager runs%s%s\n", g.replays, g.eager_runs,
                g.failed_captures ? "; capture failed: " : "", g.last_failure.c_str());
  }
  return 0;
}

}  // namespace pt2run::cli
