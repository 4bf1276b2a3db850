// corio-bench spawn --tasks N [--impl a,b,c] [--runs K]
// Spawns N no-op tasks at once and waits for all of them: the cost of creating, scheduling,
// running and joining a short task. corio: corio::spawn + awaiting every join_handle; plain Asio:
// asio::co_spawn(..., asio::detached) of N awaitables, counted down, then io_context::run().
#include <asio.hpp>

#include <corio/corio.hpp>

#include <chrono>
#include <vector>

#include "common/command.hpp"
#include "micro/micro.hpp"

namespace {

using clk = std::chrono::steady_clock;

corio::task<void> noop_task() { co_return; }

corio::task<void> spawn_all(long n) {
  std::vector<corio::join_handle<void>> hs;
  hs.reserve(static_cast<std::size_t>(n));
  for (long i = 0; i < n; ++i) hs.push_back(corio::spawn(noop_task()));
  for (auto& h : hs) co_await h;
}

asio::awaitable<void> asio_noop(long& remaining) {
  --remaining;
  co_return;
}

int run_spawn(int argc, char** argv) {
  corio_bench::args a(argc - 1, argv + 1, {"tasks", "impl", "runs"});
  const long n = a.get_long("tasks", 1'000'000);
  const auto impls = corio_bench::micro::parse_impls(a);
  const int runs = static_cast<int>(a.get_long("runs", 5));
  corio_bench::json_line params;
  params.add("tasks", n);
  return corio_bench::micro::run_matrix("spawn", impls, runs, params, [&](const std::string& impl, corio_bench::json_line& j) {
    corio_bench::reset_peak_rss();
    double wall = 0;
    if (impl == "asio-awaitable") {
      asio::io_context ctx(1);
      long remaining = n;
      auto t0 = clk::now();
      for (long i = 0; i < n; ++i) asio::co_spawn(ctx, asio_noop(remaining), asio::detached);
      ctx.run();
      wall = std::chrono::duration<double>(clk::now() - t0).count();
      if (remaining != 0) throw std::runtime_error("asio: not every task ran");
    } else {
      corio::runtime rt(corio_bench::micro::corio_options(impl));
      auto t0 = clk::now();
      rt.block_on(spawn_all(n));
      wall = std::chrono::duration<double>(clk::now() - t0).count();
      if (rt.stats().tasks_spawned != static_cast<std::uint64_t>(n)) throw std::runtime_error("corio: spawn count mismatch");
      j.add("frame_pool", corio::detail::frame_pool_enabled());
    }
    j.add("tasks", n).add("wall_s", wall).add("tasks_per_s", static_cast<double>(n) / wall)
        .add("ns_per_task", wall * 1e9 / static_cast<double>(n)).add("peak_rss_kb", corio_bench::peak_rss_kb());
    return wall;
  });
}

}  // namespace

CORIO_BENCH_COMMAND(spawn, "spawn N no-op tasks at once and join them (--tasks N --impl I --runs K)", run_spawn);
