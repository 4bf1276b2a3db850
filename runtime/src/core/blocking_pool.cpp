// spawn_blocking's thread pool (core/blocking_pool.hpp).
#include "core/blocking_pool.hpp"

#include <pthread.h>
#include <signal.h>

#include <system_error>

namespace corio::detail {

blocking_pool::~blocking_pool() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void blocking_pool::submit(blocking_job* job) {
  bool start_thread = false;
  {
    std::lock_guard lk(mu_);
    queue_.push_back(job);
    start_thread = idle_ == 0 && threads_.size() < max_threads_;
  }
  if (start_thread) {
    // The new thread starts with every signal blocked (it inherits the mask in force while it is
    // created), so that signals meant for a signal_set never land on a pool thread.
    sigset_t all, old;
    sigfillset(&all);
    ::pthread_sigmask(SIG_BLOCK, &all, &old);
    struct restore_mask {
      sigset_t* m;
      ~restore_mask() { ::pthread_sigmask(SIG_SETMASK, m, nullptr); }
    } restore{&old};
    try {
      threads_.emplace_back([this] { worker(); });
    } catch (const std::system_error& e) {
      if (threads_.empty()) {
        std::lock_guard lk(mu_);
        queue_.pop_back();
        throw_error(e.code(), "spawn_blocking: cannot start a thread");
      }
      // Otherwise the job waits for one of the existing threads.
    }
  }
  cv_.notify_one();
}

void blocking_pool::worker() noexcept {
  std::unique_lock lk(mu_);
  for (;;) {
    ++idle_;
    cv_.wait(lk, [&] { return stop_ || !queue_.empty(); });
    --idle_;
    if (stop_) return;
    blocking_job* job = queue_.front();
    queue_.pop_front();
    lk.unlock();
    job->run(job);
    sched_.post_remote(job);
    lk.lock();
  }
}

void submit_blocking(scheduler& s, blocking_job* job) {
  s.add_external_ref();
  try {
    s.blocking().submit(job);
  } catch (...) {
    s.release_external_ref();
    throw;
  }
}

}  // namespace corio::detail
