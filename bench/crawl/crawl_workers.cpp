// The coroutine-workers models (crawl_workers.hpp).
#include "crawl/crawl_workers.hpp"

#include <unistd.h>

#include <optional>
#include <system_error>

#include <corio/spawn.hpp>

#include "models/measure.hpp"

namespace corio_crawl {
namespace {

using corio_models::run_context;
using corio_models::task_state;

struct shared {
  run_context& ctx;
  std::size_t next = 0;
  std::int32_t pid = 0, tid = 0;
};

corio::task<void> worker(shared& s) {
  run_context& ctx = s.ctx;
  for (;;) {
    if (ctx.ctl.should_stop()) break;
    const std::size_t i = s.next++;
    if (i >= ctx.records.size()) break;
    ctx.ctl.started.fetch_add(1, std::memory_order_relaxed);
    auto& rec = ctx.records[i];
    rec.pid = s.pid;
    rec.tid = s.tid;
    rec.start_ns = corio_models::mono_ns();
    try {
      rec.value = co_await ctx.wl.run_async(i);
      rec.state = ctx.wl.valid_result(i, rec.value) ? task_state::ok : task_state::failed;
    } catch (...) {
      rec.state = task_state::failed;
    }
    rec.end_ns = corio_models::mono_ns();
    ++rec.runs;
    corio_models::count_task(ctx.ctl, rec);
  }
}

corio::task<void> root(shared& s, std::size_t workers) {
  corio::task_group g;
  try {
    for (std::size_t w = 0; w < workers; ++w) g.spawn(worker(s));
  } catch (const std::bad_alloc&) {
    s.ctx.ctl.request_stop(corio_models::stop_kind::limit, "coroutine frame: out of memory (ENOMEM)", ENOMEM);
  }
  s.ctx.meter.poke();
  co_await g.join();
}

class workers_model final : public corio_models::model {
 public:
  explicit workers_model(corio::backend_kind k) : kind_(k) {}
  std::string name() const override {
    return kind_ == corio::backend_kind::asio ? "coroutine-workers-asio" : "coroutine-workers-uring";
  }
  corio_models::per_task_resource resource() const override { return corio_models::per_task_resource::none; }
  std::size_t concurrency(const corio_models::run_options& o) const override { return o.workers ? o.workers : o.n; }
  void describe(corio_bench::json_line& j) const override {
    j.add("backend", backend_).add("backend_reason", reason_).add("threads", 1).add("workers", workers_);
  }

  void run(run_context& ctx) override {
    corio::runtime_options ro;
    ro.backend = kind_;
    std::optional<corio::runtime> rt;
    try {
      rt.emplace(std::move(ro));
    } catch (const std::system_error& e) {
      ctx.ctl.request_stop(corio_models::stop_kind::error, std::string("runtime: ") + e.what(), e.code().value());
      return;
    }
    backend_ = corio::to_string(rt->backend());
    reason_ = rt->backend_reason();
    workers_ = std::min(concurrency(ctx.opts), ctx.records.size());
    shared s{ctx, 0, static_cast<std::int32_t>(::getpid()), static_cast<std::int32_t>(::gettid())};
    ctx.wl.worker_start();
    rt->block_on(root(s, workers_));
    ctx.wl.worker_stop();
  }

 private:
  corio::backend_kind kind_;
  std::size_t workers_ = 0;
  std::string backend_ = "none", reason_;
};

}  // namespace

std::unique_ptr<corio_models::model> make_coroutine_workers_model(corio::backend_kind kind) {
  return std::make_unique<workers_model>(kind);
}

}  // namespace corio_crawl
