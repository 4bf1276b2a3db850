// corio-bench switch --tasks N --rounds R [--impl a,b,c] [--runs K]
// N tasks each yield R times: the cost of one suspend/resume round trip through the scheduler.
// corio: co_await corio::yield(); plain Asio: co_await asio::post(executor, asio::use_awaitable),
// Asio's way of yielding to other ready handlers.
#include <asio.hpp>

#include <corio/corio.hpp>

#include <chrono>

#include "common/command.hpp"
#include "micro/micro.hpp"

namespace {

using clk = std::chrono::steady_clock;

corio::task<void> yielder(long rounds, long& total) {
  for (long r = 0; r < rounds; ++r) {
    co_await corio::yield();
    ++total;
  }
}

corio::task<void> run_corio(long n, long rounds, long& total) {
  corio::task_group g;
  for (long i = 0; i < n; ++i) g.spawn(yielder(rounds, total));
  co_await g.join();
}

asio::awaitable<void> asio_yielder(long rounds, long& total) {
  auto ex = co_await asio::this_coro::executor;
  for (long r = 0; r < rounds; ++r) {
    co_await asio::post(ex, asio::use_awaitable);
    ++total;
  }
}

int run_switch(int argc, char** argv) {
  corio_bench::args a(argc - 1, argv + 1, {"tasks", "rounds", "impl", "runs"});
  const long n = a.get_long("tasks", 1000);
  const long rounds = a.get_long("rounds", 1000);
  const auto impls = corio_bench::micro::parse_impls(a);
  const int runs = static_cast<int>(a.get_long("runs", 5));
  corio_bench::json_line params;
  params.add("tasks", n).add("rounds", rounds);
  return corio_bench::micro::run_matrix("switch", impls, runs, params, [&](const std::string& impl, corio_bench::json_line& j) {
    long total = 0;
    double wall = 0;
    if (impl == "asio-awaitable") {
      asio::io_context ctx(1);
      for (long i = 0; i < n; ++i) asio::co_spawn(ctx, asio_yielder(rounds, total), asio::detached);
      auto t0 = clk::now();
      ctx.run();
      wall = std::chrono::duration<double>(clk::now() - t0).count();
    } else {
      corio::runtime rt(corio_bench::micro::corio_options(impl));
      auto t0 = clk::now();
      rt.block_on(run_corio(n, rounds, total));
      wall = std::chrono::duration<double>(clk::now() - t0).count();
    }
    if (total != n * rounds) throw std::runtime_error("not every switch happened");
    const double switches = static_cast<double>(n) * static_cast<double>(rounds);
    j.add("tasks", n).add("rounds", rounds).add("wall_s", wall).add("switches_per_s", switches / wall)
        .add("ns_per_switch", wall * 1e9 / switches);
    return wall;
  });
}

}  // namespace

CORIO_BENCH_COMMAND(switch, "N tasks yielding R times each (--tasks N --rounds R --impl I --runs K)", run_switch);
