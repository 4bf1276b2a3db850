// threads (thread-per-task): one pthread per task, created as fast as possible, then all joined.
#include <pthread.h>

#include <atomic>
#include <vector>

#include "models/measure.hpp"
#include "models/models_impl.hpp"

namespace corio_models {
namespace {

struct shared_state {
  run_context* ctx;
  std::atomic<long> alive{0};
};

struct thread_arg {
  shared_state* s;
  std::size_t i;
};

void* thread_main(void* p) {
  auto* a = static_cast<thread_arg*>(p);
  shared_state& s = *a->s;
  const std::size_t i = a->i;
  delete a;
  run_context& ctx = *s.ctx;
  ctx.wl.worker_start();
  run_task_blocking(ctx.wl, i, ctx.records[i]);
  ctx.wl.worker_stop();
  count_task(ctx.ctl, ctx.records[i]);
  s.alive.fetch_sub(1, std::memory_order_relaxed);
  return nullptr;
}

class thread_model final : public model {
 public:
  std::string name() const override { return "threads"; }
  per_task_resource resource() const override { return per_task_resource::thread; }
  std::size_t concurrency(const run_options& o) const override { return o.n; }
  void describe(corio_bench::json_line& j) const override { j.add("thread_stack", stack_); }

  void run(run_context& ctx) override {
    stack_ = ctx.opts.thread_stack;
    thread_attr attr(ctx.opts.thread_stack);
    shared_state s{&ctx};
    std::vector<pthread_t> threads;
    threads.reserve(std::min<std::size_t>(ctx.records.size(), 1 << 16));
    for (std::size_t i = 0; i < ctx.records.size(); ++i) {
      if (ctx.ctl.should_stop() || !ctx.ctl.may_spawn(s.alive.load(std::memory_order_relaxed))) break;
      auto* a = new (std::nothrow) thread_arg{&s, i};
      if (!a) {
        ctx.ctl.request_stop(stop_kind::limit, "thread argument: out of memory (ENOMEM)", ENOMEM);
        break;
      }
      s.alive.fetch_add(1, std::memory_order_relaxed);
      pthread_t t;
      int rc = pthread_create(&t, &attr.a, thread_main, a);
      if (rc != 0) {
        s.alive.fetch_sub(1, std::memory_order_relaxed);
        delete a;
        ctx.ctl.request_stop(stop_kind::limit, diagnose(rc, per_task_resource::thread), rc);
        break;
      }
      ctx.ctl.started.fetch_add(1, std::memory_order_relaxed);
      try {
        threads.push_back(t);
      } catch (...) {
        pthread_join(t, nullptr);  // never leave a thread unjoined
        ctx.ctl.request_stop(stop_kind::limit, "thread list: out of memory (ENOMEM)", ENOMEM);
        break;
      }
    }
    ctx.meter.poke();  // every task has started: sample while they are all alive
    for (pthread_t t : threads) pthread_join(t, nullptr);
  }

 private:
  std::size_t stack_ = 0;
};

}  // namespace

std::unique_ptr<model> make_thread_model() { return std::make_unique<thread_model>(); }

}  // namespace corio_models
