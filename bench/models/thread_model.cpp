// threads (thread-per-task): one pthread per task, created as fast as possible.
//
// Finished threads are joined while later ones are still being created: an exited but unjoined
// thread keeps its stack mapped (two mappings: stack and guard page), so a "create all, then join
// all" loop hits max_map_count (65,530 mappings: ~32,700 threads) even when only a few thousand
// threads are alive at once. Each thread, as its last act, queues itself on a finished list; the
// creating thread joins what is on that list before every creation, and at the end waits for and
// joins the rest. (CPython creates its threads detached, which frees stacks as they exit, too.)
#include <pthread.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "models/measure.hpp"
#include "models/models_impl.hpp"

namespace corio_models {
namespace {

struct shared_state {
  run_context* ctx;
  std::atomic<long> alive{0};  // created and not yet finished
  std::mutex mu;
  std::condition_variable cv;
  std::vector<pthread_t> finished;  // finished, to be joined
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
  {
    std::lock_guard lk(s.mu);
    s.finished.push_back(pthread_self());  // reserved by the creator: cannot throw
    s.alive.fetch_sub(1, std::memory_order_relaxed);
  }
  s.cv.notify_one();
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
    std::vector<pthread_t> joining;
    std::size_t unjoined = 0;
    auto join_finished = [&] {
      {
        std::lock_guard lk(s.mu);
        joining.swap(s.finished);
      }
      for (pthread_t t : joining) pthread_join(t, nullptr);
      unjoined -= joining.size();
      joining.clear();
    };
    for (std::size_t i = 0; i < ctx.records.size(); ++i) {
      join_finished();
      if (ctx.ctl.should_stop() || !ctx.ctl.may_spawn(s.alive.load(std::memory_order_relaxed))) break;
      auto* a = new (std::nothrow) thread_arg{&s, i};
      bool reserved = a != nullptr;
      if (reserved) {
        try {
          // Room on the finished list for every thread that may exist, so pushing never allocates.
          std::lock_guard lk(s.mu);
          s.finished.reserve(unjoined + 1);
          joining.reserve(unjoined + 1);
        } catch (const std::bad_alloc&) {
          reserved = false;
        }
      }
      if (!reserved) {
        delete a;
        ctx.ctl.request_stop(stop_kind::limit, "thread bookkeeping: out of memory (ENOMEM)", ENOMEM);
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
      ++unjoined;
      ctx.ctl.started.fetch_add(1, std::memory_order_relaxed);
    }
    ctx.meter.poke();  // every task has started: sample while they are alive
    while (unjoined > 0) {
      {
        std::unique_lock lk(s.mu);
        s.cv.wait(lk, [&] { return !s.finished.empty(); });
      }
      join_finished();
    }
  }

 private:
  std::size_t stack_ = 0;
};

}  // namespace

std::unique_ptr<model> make_thread_model() { return std::make_unique<thread_model>(); }

}  // namespace corio_models
