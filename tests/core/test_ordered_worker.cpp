// dist::OrderedWorker, data-parallel training's communication thread: jobs run in index order
// whatever the order they arrive in, on a thread other than the caller's; a job's exception
// reaches finish_round and drops the rest of its round; the destructor joins.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "dist/ordered_worker.hpp"
#include "test_support.hpp"

namespace mt::test {
namespace {

TEST(OrderedWorker, RunsJobsInIndexOrderOnItsThread) {
  dist::OrderedWorker worker;
  for (int round = 0; round < 2; ++round) {
    std::vector<int> order;  // written by the worker only, read after finish_round
    std::vector<std::thread::id> threads;
    for (int index : {2, 0, 3, 1}) {
      worker.submit(index, [&order, &threads, index] {
        order.push_back(index);
        threads.push_back(std::this_thread::get_id());
      });
    }
    worker.finish_round(4);
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
    for (const std::thread::id id : threads)
      EXPECT_NE(id, std::this_thread::get_id());
  }
}

TEST(OrderedWorker, AJobsErrorReachesFinishRound) {
  dist::OrderedWorker worker;
  std::vector<int> ran;
  worker.submit(0, [&ran] { ran.push_back(0); });
  worker.submit(1, [] { fail(ErrorCode::CollectiveFailed, "bucket 1 failed"); });
  worker.submit(2, [&ran] { ran.push_back(2); });
  EXPECT_TRUE(throws_error([&] { worker.finish_round(3); }, {ErrorCode::CollectiveFailed},
                           {"bucket 1 failed"}));
  EXPECT_EQ(ran, std::vector<int>{0});  // job 2 was dropped
  // The next round starts afresh.
  worker.submit(0, [&ran] { ran.push_back(10); });
  worker.finish_round(1);
  EXPECT_EQ(ran, (std::vector<int>{0, 10}));
}

// A worker destroyed mid-round (job 0 never came) drops the rest and joins.
TEST(OrderedWorker, DestroyedMidRound) {
  std::atomic<int> ran{0};
  {
    dist::OrderedWorker worker;
    worker.submit(1, [&ran] { ++ran; });
  }
  EXPECT_EQ(ran.load(), 0);
  dist::OrderedWorker never_started;  // no thread to join
}

}  // namespace
}  // namespace mt::test
