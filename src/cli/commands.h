#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pt2run::cli {

// A usage error (exit code 2): bad arguments, as opposed to a failure while working (1).
struct UsageError {
  std::string message;
  std::string hint;
};

struct InspectOptions {
  std::string package;
  std::string model = "model";
  std::string expect_sha256;
  bool json = false;
};

struct RunOptions {
  std::string package;
  std::string model = "model";
  std::string expect_sha256;  // refuse any other package file
  // One run per inputs file (.npz / .safetensors / .npy), in order, on one loaded model: a
  // model that keeps state in its buffers sees the runs before.
  std::vector<std::string> inputs_files;
  std::vector<std::string> named_inputs;  // NAME=FILE.npy (a single run)
  std::vector<std::string> output_files;  // none, or one per run
  std::optional<uint64_t> seed;           // pt2run::manual_seed before the first run
  std::string device;
  // INDEX=DEVICE: an input the model takes on another device than the package's (a CPU
  // predicate of a CUDA model's torch.cond); the others go to the package's device.
  std::vector<std::string> input_devices;
  int threads = 0;
  std::vector<std::string> custom_ops;  // shared libraries registering custom ops
};

struct BenchOptions {
  std::string package;
  std::string model = "model";
  std::string expect_sha256;
  std::string inputs_file;
  std::vector<std::string> shapes;  // NAME=2x3x224x224
  int warmup = 10;
  int iterations = 0;  // 0: use duration (or the default)
  double duration = 0;
  int concurrency = 1;
  int num_models = 0;  // 0: as many as concurrency
  int threads = 0;
  bool cuda_graphs = false;  // CUDA packages: capture and replay CUDA graphs
  bool json = false;
  bool raw_latencies = false;  // with json: every run's latency too
  bool profile = false;  // time spent in each pt2run function during the timed runs
  bool no_packed_weights = false;  // weights read in the model's layout (pt2run::set_packed_weights)
  std::vector<std::string> custom_ops;
};

struct ServeOptions {
  std::vector<std::string> models;  // NAME=PACKAGE
  std::vector<std::string> pins;    // NAME=SHA256: that model's package must have this digest
  std::string repository;           // a folder of NAME/model.pt2 or NAME.pt2
  std::string host = "0.0.0.0";
  int port = 8000;
  int instances = 1;   // model instances per model
  int threads = 0;       // threads per run, as run and bench take it; 0: physical cores / runs at once
  int http_workers = 8;  // HTTP worker threads: requests handled at once
  std::vector<std::string> custom_ops;
  int max_body_mib = 64;
  int max_buffered_mib = 512;  // request bytes held at once over all connections (503 beyond)
  int max_queue = 64;  // requests waiting per model beyond its instances (503 above)
  int max_batch_size = 1;        // rows per run with dynamic batching; 1: off
  int max_queue_delay_us = 500;  // how long a batch waits for more requests
  int request_timeout_ms = 0;    // a request not started by then gets 504; 0: none
  int io_timeout_s = 30;         // a request's head and body must arrive, and its answer go, within this
  int idle_timeout_s = 60;       // a keep-alive connection waiting for its next request
  int max_connections = 256;     // open at once; the longest idle goes first for a new one
  bool quiet = false;  // no request log lines
};

int inspect_command(const InspectOptions& options);
int run_command(const RunOptions& options);
int bench_command(const BenchOptions& options);
int serve_command(const ServeOptions& options);

}  // namespace pt2run::cli
