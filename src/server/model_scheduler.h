#pragma once

// The queue in front of one served model: requests wait here for one of the model's instances,
// up to a bound (beyond it, a clear "busy" error the service answers with 503) and up to their
// deadline (then a Timeout error, 504). With dynamic batching, an instance that takes a request
// also takes the requests queued behind it whose inputs differ only in the first dimension, up
// to max_batch_size rows, waiting at most max_queue_delay for more; it runs them as one batch
// (inputs concatenated along dimension 0) and gives each request its own rows of the outputs,
// copied out, so no request ever sees another's rows.
//
// Thread safety: infer() may be called from any number of threads. The destructor stops taking
// requests, lets the queued and running ones finish, and joins the instances' threads.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pt2run/tensor.h"

namespace pt2run::server {

struct SchedulerOptions {
  std::size_t instances = 1;    // threads running the model (one per model instance)
  std::size_t max_queued = 64;  // requests waiting beyond those running
  // Dynamic batching: off at 1. Rows (first-dimension entries) per run.
  std::size_t max_batch_size = 1;
  std::chrono::microseconds max_queue_delay{0};
};

class ModelScheduler {
 public:
  using Clock = std::chrono::steady_clock;
  // Runs the model on a batch's inputs (may throw pt2run::Error).
  using RunFn = std::function<std::vector<Tensor>(std::vector<Tensor>&&)>;
  // Told the requests and rows of each run (for metrics); called on the instance's thread.
  using BatchObserver = std::function<void(std::size_t requests, int64_t rows)>;

  // `batchable`: every input and output has the same dynamic first dimension, so requests can
  // be stacked (the service decides from the package; max_batch_size > 1 needs it).
  ModelScheduler(std::string model_name, RunFn run, SchedulerOptions options, bool batchable,
                 BatchObserver observer = {});
  ~ModelScheduler();
  ModelScheduler(const ModelScheduler&) = delete;
  ModelScheduler& operator=(const ModelScheduler&) = delete;

  // Runs `inputs` (CPU tensors, contiguous) and returns the model's outputs. Blocks. Throws
  // Error(InvalidState) when the queue is full, Error(Timeout) when `deadline` passes before an
  // instance took the request (a request that has started runs to its end), and whatever the
  // model's run throws.
  std::vector<Tensor> infer(std::vector<Tensor> inputs, Clock::time_point deadline = Clock::time_point::max());

  std::size_t queue_depth() const;
  const SchedulerOptions& options() const { return options_; }

 private:
  struct Request;
  void serve_instance();
  // Takes the next batch off the queue (lock held); empty when stopping with nothing queued.
  std::vector<std::shared_ptr<Request>> next_batch(std::unique_lock<std::mutex>& lock);
  void run_batch(std::vector<std::shared_ptr<Request>>& batch);

  std::string model_name_;
  RunFn run_;
  SchedulerOptions options_;
  bool batchable_;
  BatchObserver observer_;
  mutable std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<std::shared_ptr<Request>> queue_;
  bool stopping_ = false;
  std::size_t idle_ = 0;  // instances waiting for a request: what arrives now starts at once
  std::vector<std::thread> threads_;
};

}  // namespace pt2run::server
