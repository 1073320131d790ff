#include "dist/ordered_worker.hpp"

#include <utility>

namespace mt::dist {

OrderedWorker::~OrderedWorker() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void OrderedWorker::submit(size_t index, std::function<void()> job) {
  {
    const std::lock_guard lock(mutex_);
    if (jobs_.size() <= index) jobs_.resize(index + 1);
    jobs_[index] = std::move(job);
    if (!thread_.joinable()) thread_ = std::thread(&OrderedWorker::run, this);
  }
  changed_.notify_all();
}

void OrderedWorker::finish_round(size_t count) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return error_ || next_ >= count; });
  const std::exception_ptr error = std::exchange(error_, nullptr);
  jobs_.clear();
  next_ = 0;
  lock.unlock();
  if (error) std::rethrow_exception(error);
}

void OrderedWorker::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock,
                  [&] { return stopping_ || (!error_ && next_ < jobs_.size() && jobs_[next_]); });
    if (stopping_) return;
    const std::function<void()> job = std::move(jobs_[next_]);
    lock.unlock();
    std::exception_ptr error;
    try {
      job();
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    if (error)
      error_ = error;
    else
      ++next_;
    changed_.notify_all();
  }
}

}  // namespace mt::dist
