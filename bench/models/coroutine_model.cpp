// coroutine, coroutine-uring, coroutine-asio, coroutine-offload: one corio task per task on one
// runtime (one thread). Tasks are spawned into a task_group; the spawning loop yields every 1024
// spawns so that tasks start while later ones are still being created (like threads do).
#include <unistd.h>

#include <new>
#include <optional>
#include <system_error>

#include <corio/blocking.hpp>
#include <corio/runtime.hpp>
#include <corio/spawn.hpp>
#include <corio/yield.hpp>

#include "models/measure.hpp"
#include "models/models_impl.hpp"

namespace corio_models {
namespace {

// Every task runs on the loop thread: its pid and tid are read once per run (getpid/gettid are
// system calls, ~1.5 us each on this project's VM: more than a corio spawn).
struct loop_ids {
  std::int32_t pid, tid;
};

// One task: its frame holds only what it needs (the offload variant is a separate coroutine, so
// that a sleeping task's frame carries no spawn_blocking awaiter).
corio::task<void> one(run_context& ctx, std::size_t i, loop_ids ids) {
  task_record& rec = ctx.records[i];
  rec.pid = ids.pid;
  rec.tid = ids.tid;
  rec.start_ns = mono_ns();
  try {
    rec.value = co_await ctx.wl.run_async(i);
    rec.state = ctx.wl.valid_result(i, rec.value) ? task_state::ok : task_state::failed;
  } catch (...) {
    rec.state = task_state::failed;
  }
  rec.end_ns = mono_ns();
  ++rec.runs;
  count_task(ctx.ctl, rec);
}

corio::task<void> one_offloaded(run_context& ctx, std::size_t i, loop_ids ids) {
  task_record& rec = ctx.records[i];
  rec.pid = ids.pid;
  rec.start_ns = mono_ns();
  try {
    workload& wl = ctx.wl;
    rec.value = co_await corio::spawn_blocking([&wl, &rec, i] {
      rec.tid = static_cast<std::int32_t>(gettid());  // a thread of corio's blocking pool
      return wl.run_blocking(i);
    });
    rec.state = ctx.wl.valid_result(i, rec.value) ? task_state::ok : task_state::failed;
  } catch (...) {
    rec.state = task_state::failed;
  }
  rec.end_ns = mono_ns();
  ++rec.runs;
  count_task(ctx.ctl, rec);
}

corio::task<void> root(run_context& ctx, bool offload) {
  const loop_ids ids{static_cast<std::int32_t>(getpid()), static_cast<std::int32_t>(gettid())};
  corio::task_group g;
  try {
    for (std::size_t i = 0; i < ctx.records.size(); ++i) {
      if (ctx.ctl.should_stop()) break;
      g.spawn(offload ? one_offloaded(ctx, i, ids) : one(ctx, i, ids));
      ctx.ctl.started.fetch_add(1, std::memory_order_relaxed);
      if ((i & 1023) == 1023) co_await corio::yield();
    }
  } catch (const std::bad_alloc&) {
    ctx.ctl.request_stop(stop_kind::limit, "coroutine frame: out of memory (ENOMEM)", ENOMEM);
  } catch (const std::system_error& e) {
    ctx.ctl.request_stop(stop_kind::limit, std::string("spawn: ") + e.what(), e.code().value());
  }
  ctx.meter.poke();
  co_await g.join();
}

class coroutine_model final : public model {
 public:
  coroutine_model(corio::backend_kind k, bool offload) : kind_(k), offload_(offload) {}
  std::string name() const override {
    if (offload_) return "coroutine-offload";
    switch (kind_) {
      case corio::backend_kind::io_uring: return "coroutine-uring";
      case corio::backend_kind::asio: return "coroutine-asio";
      default: return "coroutine";
    }
  }
  per_task_resource resource() const override { return per_task_resource::none; }
  std::size_t concurrency(const run_options& o) const override {
    return offload_ ? (o.workers ? o.workers : default_workers("coroutine-offload")) : o.n;
  }
  void describe(corio_bench::json_line& j) const override {
    j.add("backend", backend_).add("backend_reason", reason_).add("threads", 1);
    if (offload_) j.add("workers", workers_);
  }

  void run(run_context& ctx) override {
    corio::runtime_options ro;
    ro.backend = kind_;
    if (offload_) {
      workers_ = static_cast<unsigned>(concurrency(ctx.opts));
      ro.max_blocking_threads = workers_;
    }
    std::optional<corio::runtime> rt;
    try {
      rt.emplace(std::move(ro));
    } catch (const std::system_error& e) {
      ctx.ctl.request_stop(stop_kind::error, std::string("runtime: ") + e.what(), e.code().value());
      return;
    }
    backend_ = corio::to_string(rt->backend());
    reason_ = rt->backend_reason();
    ctx.wl.worker_start();
    rt->block_on(root(ctx, offload_));
    ctx.wl.worker_stop();
  }

 private:
  corio::backend_kind kind_;
  bool offload_;
  unsigned workers_ = 0;
  std::string backend_ = "none", reason_;
};

}  // namespace

std::unique_ptr<model> make_coroutine_model(corio::backend_kind k, bool offload) {
  return std::make_unique<coroutine_model>(k, offload);
}

}  // namespace corio_models
