// corio-bench timers --tasks N --sleep-ms M [--impl a,b,c] [--runs K]
// N tasks sleep M ms concurrently. Reports wall time, peak RSS, bytes_per_task (RSS with all N
// asleep minus RSS of the idle runtime, divided by N: the whole per-task cost, frame and timer
// included) and the lateness of wake-ups (wake time minus deadline) p50/p99/max.
// corio: corio::spawn into a task_group + corio::sleep_for; plain Asio: asio::co_spawn of an
// awaitable that waits on its own asio::steady_timer (what an Asio user writes).
#include <asio.hpp>

#include <corio/corio.hpp>

#include <chrono>
#include <cstdint>
#include <vector>

#include "common/command.hpp"
#include "micro/micro.hpp"

namespace {

using clk = std::chrono::steady_clock;

struct lateness_log {
  std::vector<float> us;  // preallocated before the baseline RSS is taken
  void record(clk::time_point deadline) {
    us.push_back(std::chrono::duration<float, std::micro>(clk::now() - deadline).count());
  }
};

corio::task<void> corio_sleeper(clk::duration d, lateness_log& log) {
  auto deadline = clk::now() + d;
  co_await corio::sleep_until(deadline);
  log.record(deadline);
}

corio::task<void> corio_main(long n, clk::duration d, lateness_log& log, long& rss_asleep) {
  corio::task_group g;
  for (long i = 0; i < n; ++i) g.spawn(corio_sleeper(d, log));
  co_await corio::yield();  // FIFO: every sleeper has run up to its sleep before this resumes
  rss_asleep = corio_bench::current_rss_kb();
  co_await g.join();
}

asio::awaitable<void> asio_sleeper(clk::duration d, lateness_log& log) {
  auto deadline = clk::now() + d;
  asio::steady_timer t(co_await asio::this_coro::executor, deadline);
  co_await t.async_wait(asio::use_awaitable);
  log.record(deadline);
}

int run_timers(int argc, char** argv) {
  corio_bench::args a(argc - 1, argv + 1, {"tasks", "sleep-ms", "impl", "runs"});
  const long n = a.get_long("tasks", 1'000'000);
  const long ms = a.get_long("sleep-ms", 1000);
  const auto impls = corio_bench::micro::parse_impls(a);
  const int runs = static_cast<int>(a.get_long("runs", 3));
  const auto d = std::chrono::milliseconds(ms);
  corio_bench::json_line params;
  params.add("tasks", n).add("sleep_ms", ms);
  return corio_bench::micro::run_matrix("timers", impls, runs, params, [&](const std::string& impl, corio_bench::json_line& j) {
    lateness_log log;
    log.us.reserve(static_cast<std::size_t>(n));
    long rss_idle = 0, rss_asleep = 0;
    double wall = 0;
    corio_bench::reset_peak_rss();
    if (impl == "asio-awaitable") {
      asio::io_context ctx(1);
      rss_idle = corio_bench::current_rss_kb();
      auto t0 = clk::now();
      for (long i = 0; i < n; ++i) asio::co_spawn(ctx, asio_sleeper(d, log), asio::detached);
      // co_spawn queues each coroutine's start in order: this runs after all have started waiting.
      asio::post(ctx, [&] { rss_asleep = corio_bench::current_rss_kb(); });
      ctx.run();
      wall = std::chrono::duration<double>(clk::now() - t0).count();
    } else {
      corio::runtime rt(corio_bench::micro::corio_options(impl));
      rss_idle = corio_bench::current_rss_kb();
      auto t0 = clk::now();
      rt.block_on(corio_main(n, d, log, rss_asleep));
      wall = std::chrono::duration<double>(clk::now() - t0).count();
    }
    if (static_cast<long>(log.us.size()) != n) throw std::runtime_error("not every sleeper woke");
    double bytes_per_task = static_cast<double>(rss_asleep - rss_idle) * 1024.0 / static_cast<double>(n);
    double early = 0;
    for (float v : log.us) early += v < 0;
    j.add("tasks", n).add("sleep_ms", ms).add("wall_s", wall).add("peak_rss_kb", corio_bench::peak_rss_kb())
        .add("bytes_per_task", bytes_per_task)
        .add("lateness_p50_us", corio_bench::percentile(log.us, 0.5))
        .add("lateness_p99_us", corio_bench::percentile(log.us, 0.99))
        .add("lateness_max_us", static_cast<double>(log.us.back()))
        .add("woke_early", early);
    return wall;
  });
}

}  // namespace

CORIO_BENCH_COMMAND(timers, "N tasks sleeping M ms concurrently (--tasks N --sleep-ms M --impl I --runs K)", run_timers);
