// thread-pool: T threads take task indices from a shared atomic counter until none is left.
#include <pthread.h>

#include <atomic>
#include <vector>

#include "models/measure.hpp"
#include "models/models_impl.hpp"

namespace corio_models {
namespace {

struct pool_state {
  run_context* ctx;
  std::atomic<std::size_t> next{0};
};

void* worker_main(void* p) {
  auto& s = *static_cast<pool_state*>(p);
  run_context& ctx = *s.ctx;
  ctx.wl.worker_start();
  for (;;) {
    if (ctx.ctl.should_stop()) break;
    const std::size_t i = s.next.fetch_add(1, std::memory_order_relaxed);
    if (i >= ctx.records.size()) break;
    ctx.ctl.started.fetch_add(1, std::memory_order_relaxed);
    run_task_blocking(ctx.wl, i, ctx.records[i]);
    count_task(ctx.ctl, ctx.records[i]);
  }
  ctx.wl.worker_stop();
  return nullptr;
}

class thread_pool_model final : public model {
 public:
  std::string name() const override { return "thread-pool"; }
  per_task_resource resource() const override { return per_task_resource::none; }
  std::size_t concurrency(const run_options& o) const override {
    return o.workers ? o.workers : default_workers("thread-pool");
  }
  void describe(corio_bench::json_line& j) const override { j.add("workers", workers_).add("workers_started", started_); }

  void run(run_context& ctx) override {
    workers_ = static_cast<unsigned>(concurrency(ctx.opts));
    thread_attr attr(ctx.opts.thread_stack);
    pool_state s{&ctx};
    std::vector<pthread_t> threads;
    threads.reserve(workers_);
    for (unsigned w = 0; w < workers_; ++w) {
      pthread_t t;
      int rc = pthread_create(&t, &attr.a, worker_main, &s);
      if (rc != 0) {
        // Run with the workers we have; with none, the model cannot run at all.
        if (threads.empty()) ctx.ctl.request_stop(stop_kind::limit, diagnose(rc, per_task_resource::thread), rc);
        break;
      }
      threads.push_back(t);
    }
    started_ = static_cast<unsigned>(threads.size());
    for (pthread_t t : threads) pthread_join(t, nullptr);
  }

 private:
  unsigned workers_ = 0, started_ = 0;
};

}  // namespace

std::unique_ptr<model> make_thread_pool_model() { return std::make_unique<thread_pool_model>(); }

}  // namespace corio_models
