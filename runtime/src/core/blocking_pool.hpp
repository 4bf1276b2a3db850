// core/blocking_pool.hpp - the threads behind spawn_blocking.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include <corio/blocking.hpp>

namespace corio::detail {

// Jobs are queued FIFO; a thread is started when a job arrives and no thread is idle, up to
// max_threads. A finished job is handed back to the scheduler with post_remote(). Destruction drops
// queued jobs (they never run) and joins the threads, waiting for running jobs.
class blocking_pool {
 public:
  blocking_pool(scheduler& s, unsigned max_threads) : sched_(s), max_threads_(max_threads ? max_threads : 1) {}
  ~blocking_pool();
  blocking_pool(const blocking_pool&) = delete;
  blocking_pool& operator=(const blocking_pool&) = delete;

  // Loop thread only. Throws corio::error when no thread exists and none can be started.
  void submit(blocking_job* job);

 private:
  void worker() noexcept;

  scheduler& sched_;
  unsigned max_threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<blocking_job*> queue_;  // guarded by mu_
  unsigned idle_ = 0;                // guarded by mu_
  bool stop_ = false;                // guarded by mu_
  std::vector<std::thread> threads_;  // loop thread only
};

}  // namespace corio::detail
