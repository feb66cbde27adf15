// The queue in front of a served model, with a stand-in model (a function) so batching,
// timeouts and the queue bound can be driven exactly: every request gets back its own rows,
// batches form only from stackable requests, a late request is refused with Timeout, a full
// queue with InvalidState, and a failing run fails every request of its batch.

#include "server/model_scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "pt2run/error.h"

namespace pt2run::server {
namespace {

using namespace std::chrono_literals;

// rows x cols float32, every element `value` + its row index (to see rows come back in place).
Tensor rows_tensor(int64_t rows, int64_t cols, float value) {
  Tensor t = Tensor::empty({rows, cols}, DType::Float32);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) t.data<float>()[r * cols + c] = value + static_cast<float>(r);
  return t;
}

// The stand-in model: y = 2x, and a second output with one column per row (x's first column).
std::vector<Tensor> doubling(std::vector<Tensor>&& in) {
  const Tensor& x = in.at(0);
  Tensor y = x.clone(), first = Tensor::empty({x.size(0), 1}, DType::Float32);
  for (int64_t i = 0; i < y.numel(); ++i) y.data<float>()[i] *= 2;
  for (int64_t r = 0; r < x.size(0); ++r) first.data<float>()[r] = x.data<float>()[r * x.size(1)];
  return {y, first};
}

TEST(ModelScheduler, BatchesGiveEveryRequestItsOwnRows) {
  std::atomic<int> runs{0}, multi{0};
  std::atomic<int64_t> largest{0};
  ModelScheduler scheduler(
      "m", doubling, {.instances = 2, .max_queued = 64, .max_batch_size = 16, .max_queue_delay = 5ms}, true,
      [&](std::size_t requests, int64_t rows) {
        ++runs;
        if (requests > 1) ++multi;
        int64_t seen = largest.load();
        while (rows > seen && !largest.compare_exchange_weak(seen, rows)) {}
      });
  std::vector<std::thread> clients;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 8; ++t)
    clients.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        const int64_t rows = 1 + (t + i) % 3;
        // Some requests have 5 columns, so they never stack with the 4-column ones.
        const int64_t cols = t == 7 ? 5 : 4;
        const float base = static_cast<float>(t * 1000 + i * 10);
        std::vector<Tensor> out = scheduler.infer({rows_tensor(rows, cols, base)});
        bool ok = out.size() == 2 && out[0].size(0) == rows && out[0].size(1) == cols && out[1].size(0) == rows;
        for (int64_t r = 0; ok && r < rows; ++r) {
          ok = out[1].data<float>()[r] == base + static_cast<float>(r);
          for (int64_t c = 0; ok && c < cols; ++c) ok = out[0].data<float>()[r * cols + c] == 2 * (base + r);
        }
        if (!ok) ++wrong;
      }
    });
  for (auto& c : clients) c.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(multi.load(), 0) << "8 clients, 5 ms delay: some runs should carry several requests";
  EXPECT_LT(runs.load(), 200);
  EXPECT_LE(largest.load(), 16);
  EXPECT_EQ(scheduler.queue_depth(), 0u);
}

// A stand-in model whose runs wait until `release` is set (keeps the instance busy).
ModelScheduler::RunFn held_until(const std::atomic<bool>& release) {
  return [&release](std::vector<Tensor>&& in) {
    while (!release) std::this_thread::sleep_for(1ms);
    return std::vector<Tensor>{in[0]};
  };
}

TEST(ModelScheduler, ARequestNotStartedByItsDeadlineTimesOut) {
  std::atomic<bool> release{false};
  ModelScheduler scheduler("slow", held_until(release), {.instances = 1, .max_queued = 4}, false);
  std::thread first([&] { scheduler.infer({rows_tensor(1, 2, 0)}); });
  while (scheduler.queue_depth() != 0) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(10ms);  // the instance has taken the first one
  try {
    scheduler.infer({rows_tensor(1, 2, 0)}, ModelScheduler::Clock::now() + 30ms);
    ADD_FAILURE() << "expected a timeout";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::Timeout);
    EXPECT_NE(e.message().find("did not start the request within its timeout"), std::string::npos) << e.message();
  }
  EXPECT_EQ(scheduler.queue_depth(), 0u) << "the timed-out request leaves the queue";
  release = true;
  first.join();
}

TEST(ModelScheduler, AFullQueueTurnsRequestsAway) {
  std::atomic<bool> release{false};
  ModelScheduler scheduler("busy", held_until(release), {.instances = 1, .max_queued = 1}, false);
  std::thread running([&] { scheduler.infer({rows_tensor(1, 2, 0)}); });
  while (scheduler.queue_depth() != 0) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(10ms);
  std::thread queued([&] { scheduler.infer({rows_tensor(1, 2, 0)}); });
  while (scheduler.queue_depth() != 1) std::this_thread::sleep_for(1ms);
  try {
    scheduler.infer({rows_tensor(1, 2, 0)});
    ADD_FAILURE() << "expected the queue to be full";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidState);
    EXPECT_NE(e.message().find("is busy"), std::string::npos) << e.message();
  }
  release = true;
  running.join();
  queued.join();
}

TEST(ModelScheduler, AFailedRunFailsEveryRequestOfItsBatch) {
  ModelScheduler scheduler("broken", [](std::vector<Tensor>&&) -> std::vector<Tensor> {
    throw Error(ErrorCode::ModelFailure, "the model reported an error");
  }, {.instances = 1, .max_queued = 16, .max_batch_size = 8, .max_queue_delay = 5ms}, true);
  std::atomic<int> failed{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t)
    clients.emplace_back([&] {
      try {
        scheduler.infer({rows_tensor(2, 3, 1)});
      } catch (const Error& e) {
        if (e.code() == ErrorCode::ModelFailure) ++failed;
      }
    });
  for (auto& c : clients) c.join();
  EXPECT_EQ(failed.load(), 4);
}

TEST(ModelScheduler, OutputsThatDoNotFollowTheBatchAreAnError) {
  ModelScheduler scheduler("sum", [](std::vector<Tensor>&&) { return std::vector<Tensor>{rows_tensor(1, 1, 0)}; },
                           {.instances = 1, .max_queued = 16, .max_batch_size = 8, .max_queue_delay = 20ms}, true);
  std::atomic<int> internal{0}, served{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t)
    clients.emplace_back([&] {
      try {
        scheduler.infer({rows_tensor(1, 3, 1)});
        ++served;  // alone in its run: nothing to split
      } catch (const Error& e) {
        if (e.code() == ErrorCode::Internal && e.message().find("do not follow the batch") != std::string::npos)
          ++internal;
      }
    });
  for (auto& c : clients) c.join();
  EXPECT_EQ(internal.load() + served.load(), 4);
  EXPECT_GT(internal.load(), 0);
}

TEST(ModelScheduler, BatchingNeedsABatchDimension) {
  try {
    ModelScheduler scheduler("fixed", doubling, {.max_batch_size = 4}, false);
    ADD_FAILURE() << "expected a refusal";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    EXPECT_NE(e.message().find("cannot batch requests"), std::string::npos) << e.message();
  }
}

}  // namespace
}  // namespace pt2run::server
