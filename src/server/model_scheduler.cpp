#include "server/model_scheduler.h"

#include <algorithm>
#include <utility>
#include <cstring>
#include <exception>

#include "pt2run/error.h"

namespace pt2run::server {
namespace {

using std::to_string;

std::vector<int64_t> sizes_of(const Tensor& t) { return {t.sizes().begin(), t.sizes().end()}; }

// Two requests stack when every input has the same dtype and sizes but the first.
bool stackable(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].dtype() != b[i].dtype() || a[i].dim() != b[i].dim() || a[i].dim() == 0) return false;
    if (!std::equal(a[i].sizes().begin() + 1, a[i].sizes().end(), b[i].sizes().begin() + 1)) return false;
  }
  return true;
}

// Rows [begin, begin + rows) of a batch's output, copied: the request owns them alone.
Tensor take_rows(const Tensor& out, int64_t begin, int64_t rows) {
  std::vector<int64_t> sizes = sizes_of(out);
  sizes[0] = rows;
  return out.as_strided(sizes, {out.strides().begin(), out.strides().end()}, out.storage_offset() + begin * out.stride(0))
      .clone();
}

}  // namespace

struct ModelScheduler::Request {
  enum class State { Queued, Running, Done };
  std::vector<Tensor> inputs;
  int64_t rows = 0;
  Clock::time_point arrived;
  State state = State::Queued;
  std::condition_variable done;
  std::vector<Tensor> outputs;
  std::exception_ptr error;
};

ModelScheduler::ModelScheduler(std::string model_name, RunFn run, SchedulerOptions options, bool batchable,
                               BatchObserver observer)
    : model_name_(std::move(model_name)),
      run_(std::move(run)),
      options_(options),
      batchable_(batchable),
      observer_(std::move(observer)) {
  if (options_.instances < 1 || options_.max_batch_size < 1)
    throw Error(ErrorCode::InvalidArgument, "model '" + model_name_ + "' needs at least one instance and a max "
                                            "batch size of at least 1");
  if (options_.max_batch_size > 1 && !batchable_)
    throw Error(ErrorCode::InvalidArgument,
                "model '" + model_name_ + "' cannot batch requests: its inputs and outputs do not all share one "
                "dynamic first dimension (export it with a dynamic batch dimension, or serve it with a max batch "
                "size of 1)");
  for (std::size_t i = 0; i < options_.instances; ++i) threads_.emplace_back([this] { serve_instance(); });
}

ModelScheduler::~ModelScheduler() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  arrived_.notify_all();
  for (auto& t : threads_) t.join();
}

std::size_t ModelScheduler::queue_depth() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::vector<Tensor> ModelScheduler::infer(std::vector<Tensor> inputs, Clock::time_point deadline) {
  auto request = std::make_shared<Request>();
  request->rows = !inputs.empty() && inputs[0].dim() > 0 ? inputs[0].size(0) : 1;
  request->inputs = std::move(inputs);
  request->arrived = Clock::now();
  std::unique_lock lock(mutex_);
  if (stopping_)
    throw Error(ErrorCode::InvalidState, "the server is shutting down; model '" + model_name_ +
                                             "' takes no more requests");
  if (queue_.size() >= options_.max_queued + idle_)
    throw Error(ErrorCode::InvalidState, "model '" + model_name_ + "' is busy: " + to_string(options_.instances) +
                                             " instance(s) running and " + to_string(options_.max_queued) +
                                             " request(s) queued; retry later");
  queue_.push_back(request);
  arrived_.notify_one();
  const auto started = [&] { return request->state != Request::State::Queued; };
  if (deadline == Clock::time_point::max()) {
    request->done.wait(lock, started);
  } else if (!request->done.wait_until(lock, deadline, started)) {
    queue_.erase(std::find(queue_.begin(), queue_.end(), request));
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - request->arrived);
    throw Error(ErrorCode::Timeout, "model '" + model_name_ + "' did not start the request within its timeout (" +
                                        to_string(waited.count()) + " ms in the queue; " +
                                        to_string(queue_.size()) + " still waiting)");
  }
  request->done.wait(lock, [&] { return request->state == Request::State::Done; });
  // Taken out of the request, so the exception dies on this thread (see run_batch).
  if (request->error) std::rethrow_exception(std::exchange(request->error, nullptr));
  return std::move(request->outputs);
}

void ModelScheduler::serve_instance() {
  while (true) {
    std::vector<std::shared_ptr<Request>> batch;
    {
      std::unique_lock lock(mutex_);
      batch = next_batch(lock);
      if (batch.empty()) return;
      for (auto& r : batch) {
        r->state = Request::State::Running;
        r->done.notify_one();
      }
    }
    run_batch(batch);
    std::lock_guard lock(mutex_);
    for (auto& r : batch) {
      r->state = Request::State::Done;
      r->done.notify_one();
    }
  }
}

std::vector<std::shared_ptr<ModelScheduler::Request>> ModelScheduler::next_batch(std::unique_lock<std::mutex>& lock) {
  ++idle_;
  arrived_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
  --idle_;
  std::vector<std::shared_ptr<Request>> batch;
  if (queue_.empty()) return batch;
  batch.push_back(queue_.front());
  queue_.pop_front();
  if (options_.max_batch_size == 1) return batch;
  int64_t rows = batch[0]->rows;
  const auto max_rows = static_cast<int64_t>(options_.max_batch_size);
  const Clock::time_point until = batch[0]->arrived + options_.max_queue_delay;
  while (rows < max_rows) {
    if (!queue_.empty()) {
      const auto& next = queue_.front();
      // In arrival order: a request that does not fit ends the batch and leads the next one.
      if (!stackable(batch[0]->inputs, next->inputs) || rows + next->rows > max_rows) break;
      rows += next->rows;
      batch.push_back(next);
      queue_.pop_front();
      continue;
    }
    if (stopping_ || Clock::now() >= until) break;
    arrived_.wait_until(lock, until);
  }
  // The wake-up for what is left (a request that did not fit, or arrived while this instance
  // waited for more) may have gone to this instance: pass it on to an idle one.
  if (!queue_.empty()) arrived_.notify_one();
  return batch;
}

void ModelScheduler::run_batch(std::vector<std::shared_ptr<Request>>& batch) {
  int64_t total = 0;
  for (const auto& r : batch) total += r->rows;
  try {
    std::vector<Tensor> inputs;
    if (batch.size() == 1) {
      inputs = std::move(batch[0]->inputs);
    } else {
      for (std::size_t i = 0; i < batch[0]->inputs.size(); ++i) {
        std::vector<int64_t> sizes = sizes_of(batch[0]->inputs[i]);
        sizes[0] = total;
        Tensor stacked = Tensor::empty(sizes, batch[0]->inputs[i].dtype());
        auto* dst = static_cast<std::byte*>(stacked.data_ptr());
        for (auto& r : batch) {
          const Tensor& part = r->inputs[i];
          std::memcpy(dst, part.data_ptr(), part.nbytes());
          dst += part.nbytes();
        }
        inputs.push_back(std::move(stacked));
      }
      for (auto& r : batch) r->inputs.clear();
    }
    std::vector<Tensor> outputs = run_(std::move(inputs));
    if (batch.size() == 1) {
      batch[0]->outputs = std::move(outputs);
    } else {
      for (const Tensor& out : outputs)
        if (out.dim() == 0 || out.size(0) != total)
          throw Error(ErrorCode::Internal, "model '" + model_name_ + "' returned " + out.describe() +
                                               " for a batch of " + to_string(total) +
                                               " rows; its outputs do not follow the batch dimension");
      int64_t begin = 0;
      for (auto& r : batch) {
        for (const Tensor& out : outputs) r->outputs.push_back(take_rows(out, begin, r->rows));
        begin += r->rows;
      }
    }
  } catch (const Error& e) {
    // Each request its own copy, which its caller's thread takes out of the request: the
    // exception is then read and freed on that one thread. A copy shared by the batch, or one
    // left in the request, was freed by whichever thread dropped the last reference, counted
    // inside libstdc++, whose atomics ThreadSanitizer cannot see: it reported the free racing
    // with the caller's read of the message.
    for (auto& r : batch) {
      r->outputs.clear();
      r->error = std::make_exception_ptr(Error(e.code(), e.message()));
    }
  } catch (...) {
    const std::exception_ptr error = std::current_exception();
    for (auto& r : batch) {
      r->outputs.clear();
      r->error = error;
    }
  }
  if (observer_) {
    try {
      observer_(batch.size(), total);
    } catch (...) {
      // Metrics never fail a request.
    }
  }
}

}  // namespace pt2run::server
