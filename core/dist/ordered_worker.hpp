#pragma once
// A thread of its own that runs numbered jobs strictly in number order, whatever the order in
// which they are handed over: data-parallel training's communication thread, which must issue
// the buckets' collectives in the same order on every rank while backward hands the buckets
// over as they become ready.
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mt::dist {

class OrderedWorker {
 public:
  OrderedWorker() = default;
  // Lets the job in progress finish, drops the others, and joins the thread.
  ~OrderedWorker();
  OrderedWorker(const OrderedWorker&) = delete;
  OrderedWorker& operator=(const OrderedWorker&) = delete;

  // Hands over job `index` of the current round (once per index and round); it runs once
  // jobs 0 .. index - 1 have. The first call starts the thread.
  void submit(size_t index, std::function<void()> job);
  // Waits until jobs 0 .. count - 1 (every one submitted) have run, then starts a new round at
  // job 0. When a job threw, the jobs after it in the round are dropped and its exception is
  // rethrown here.
  void finish_round(size_t count);

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::function<void()>> jobs_;  // this round's, by index; empty until submitted
  size_t next_ = 0;                          // the job to run next
  std::exception_ptr error_;                 // the round's failed job's, which stops the round
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace mt::dist
