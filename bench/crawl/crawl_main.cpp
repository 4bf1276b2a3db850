// corio-crawl: a breadth-first crawler (or a URL-list fetcher) run by any execution model.
//
//   corio-crawl --model M --url http://127.0.0.1:P/page/0 --max-pages N --concurrency C [--list]
//
// Models: coroutine-uring, coroutine-asio, coroutine, threads, processes, thread-pool,
// process-pool (bench/models), asio-awaitable (plain Asio), coroutine-workers-uring/-asio and
// epoll-floor (bench/crawl/crawl_models.hpp). Pool and worker models get C workers (pools capped
// by the machine's spawn budget, which the result line names).
// The crawl fetches at most N pages with at most C requests in flight, extracts links with gumbo,
// normalises and de-duplicates them, and follows only those on the start URL's host and port;
// --list fetches the start URL with its last path segment replaced by 0..N-1 instead. Errors are
// counted by kind, never fatal. Works against any HTTP/1.1 server.
//
// Prints one JSON line: the execution model's measurements (bench/models/runner.hpp: wall, CPU,
// memory, latencies, limits), the crawl's counters (pages, errors by kind, links...), and, when
// asked, the CPU the site server used during the run (--server-pid) and a check against corio-site's
// synthetic site (--site-links/--site-seed: exact page set, and ideal_crawl_s, the depth-aware
// ideal). Exit status 0 when the run completed, 1 otherwise, 2 for bad arguments.
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include <corio/http/url.hpp>

#include "common/args.hpp"
#include "crawl/crawl_models.hpp"
#include "crawl/crawl_workload.hpp"
#include "crawl/site_check.hpp"
#include "models/limits.hpp"
#include "models/runner.hpp"

namespace {

const char* const kUsage =
    "usage: corio-crawl --model M --url URL --max-pages N --concurrency C [--list]\n"
    "         [--latency-ms L] [--keep-alive 0|1] [--timeout-ms T] [--connect-timeout-ms T] [--exact-links]\n"
    "         [--server-pid PID] [--site-links K] [--site-seed S] [--site-pages P] [--workers W]\n"
    "         [--time-budget S] [--memory-budget MIB] [--mem-floor MIB] [--pid-margin K] [--max-alive K]\n"
    "         [--thread-stack KIB] [--sample-ms MS] [--label TEXT] [--progress]\n"
    "models: coroutine-uring coroutine-asio coroutine threads processes thread-pool process-pool asio-awaitable\n"
    "        coroutine-workers-uring coroutine-workers-asio (C corio tasks taking indices, like asio-awaitable)\n"
    "        epoll-floor (--list only: a hand-written epoll loop, no runtime)\n"
    "  --latency-ms L     the server's response delay: ideal = ceil(N/C) * L\n"
    "  --server-pid PID   report that process's CPU during the run (server_cpu_s)\n"
    "  --site-links K     the target is corio-site with K links per page (and --site-seed S, --site-pages P,\n"
    "                     default N): check the pages found and compute ideal_crawl_s\n";

// CPU time of every thread of `pid`, in seconds (sum of /proc/pid/task/*/schedstat, nanoseconds);
// NaN when the process cannot be read.
double process_cpu_s(long pid) {
  if (pid <= 0) return NAN;
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = ::opendir(dir.c_str());
  if (!d) return NAN;
  double total = 0;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream f(dir + "/" + e->d_name + "/schedstat");
    unsigned long long ns = 0;
    if (f >> ns) total += static_cast<double>(ns) / 1e9;
  }
  ::closedir(d);
  return total;
}

void raise_nofile() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
  }
}

bool is_pool(const std::string& m) { return m == "thread-pool" || m == "process-pool" || m == "coroutine-offload"; }

int run(int argc, char** argv) {
  corio_bench::args a(argc - 1, argv + 1,
                      {"model", "url", "max-pages", "concurrency", "latency-ms", "keep-alive", "timeout-ms",
                       "connect-timeout-ms", "server-pid", "site-links", "site-seed", "site-pages", "workers",
                       "time-budget", "memory-budget", "mem-floor", "pid-margin", "max-alive", "thread-stack",
                       "sample-ms", "label"},
                      {"list", "exact-links", "progress", "help"});
  if (a.has("help")) {
    std::cout << kUsage;
    return 0;
  }
  if (!a.positional().empty()) throw std::invalid_argument("unexpected argument '" + a.positional()[0] + "'");
  if (!a.has("model") || !a.has("url")) throw std::invalid_argument("--model and --url are required");
  const std::string model_name = a.get("model");
  const std::size_t n = static_cast<std::size_t>(a.get_long("max-pages", 100));
  if (n == 0) throw std::invalid_argument("--max-pages: at least 1");

  corio_crawl::crawl_options co;
  co.url = a.get("url");
  try {
    (void)corio::http::url::parse(co.url);
  } catch (const std::system_error& e) {
    throw std::invalid_argument(std::string("--url: ") + e.what());
  }
  co.concurrency = static_cast<std::size_t>(a.get_long("concurrency", 100));
  if (co.concurrency == 0) throw std::invalid_argument("--concurrency: at least 1");
  co.list = a.has("list");
  co.exact_links = a.has("exact-links");
  co.latency_s = a.has("latency-ms") ? a.get_double("latency-ms", 0) / 1000 : NAN;
  const long long keep = a.get_long("keep-alive", 1);
  if (keep > 1) throw std::invalid_argument("--keep-alive: 0 or 1");
  co.http.keep_alive = keep == 1;
  co.http.request_timeout = std::chrono::milliseconds(a.get_long("timeout-ms", 30'000));
  co.http.connect_timeout = std::chrono::milliseconds(a.get_long("connect-timeout-ms", 5'000));

  corio_models::run_options ro;
  ro.n = n;
  ro.time_budget_s = a.get_double("time-budget", 0);
  ro.memory_budget = a.get_long("memory-budget", 0) << 20;
  ro.margin.mem_floor = a.get_long("mem-floor", 4096) << 20;
  ro.margin.pids = static_cast<long>(a.get_long("pid-margin", ro.margin.pids));
  ro.max_alive = static_cast<long>(a.get_long("max-alive", 0));
  ro.thread_stack = static_cast<std::size_t>(a.get_long("thread-stack", 0)) << 10;
  if (ro.thread_stack && ro.thread_stack < 65536) throw std::invalid_argument("--thread-stack: at least 64 KiB (gumbo needs it)");
  ro.sample_interval_s = a.get_double("sample-ms", 50) / 1000.0;
  if (!(ro.sample_interval_s > 0)) throw std::invalid_argument("--sample-ms: must be > 0");
  ro.progress = a.has("progress");
  ro.label = a.get("label", model_name);

  std::unique_ptr<corio_models::model> model = corio_crawl::make_crawl_model(model_name);

  // Pools (and asio-awaitable's workers) get C workers, within the machine's spawn budget.
  std::string workers_note;
  ro.workers = static_cast<unsigned>(a.get_long("workers", static_cast<long long>(co.concurrency)));
  if (is_pool(model_name) && !a.has("workers")) {
    const auto res = model_name == "process-pool" ? corio_models::per_task_resource::process
                                                  : corio_models::per_task_resource::thread;
    const auto b = corio_models::spawn_budget(corio_models::read_limits(), res,
                                              res == corio_models::per_task_resource::thread ? 1 : 0, ro.margin);
    if (b.max_alive > 0 && ro.workers > static_cast<unsigned long>(b.max_alive)) {
      ro.workers = static_cast<unsigned>(b.max_alive);
      workers_note = "workers capped at " + std::to_string(ro.workers) + " by " + b.why;
    }
  }

  raise_nofile();
  corio_crawl::crawl_workload wl(co);
  const long server_pid = static_cast<long>(a.get_long("server-pid", 0));
  const double server_cpu0 = process_cpu_s(server_pid);
  corio_models::run_result res = corio_models::run_model(*model, wl, ro);
  const double server_cpu = process_cpu_s(server_pid) - server_cpu0;
  // The coroutine and thread-per-task models start N tasks; the crawl's semaphore lets C of them
  // fetch at once: C in ideal = ceil(N/C) * L is the smaller of the two.
  res.concurrency = std::min(res.concurrency, co.concurrency);
  if (std::isfinite(co.latency_s) && res.started > 0) {
    const std::size_t c = std::max<std::size_t>(1, std::min(res.concurrency, res.started));
    res.ideal_s = static_cast<double>((res.started + c - 1) / c) * co.latency_s;
  }

  corio_bench::json_line j = res.json();
  if (corio_crawl::crawl_model_has_workers(model_name)) j.add("workers_requested", co.concurrency);
  if (!workers_note.empty()) j.add("workers_note", workers_note);
  wl.report(j);
  const double cpu = res.m.user_s + res.m.sys_s;
  const auto pages = wl.front().counters().pages.load();
  j.add("cpu_per_request_us", pages ? cpu / static_cast<double>(pages) * 1e6 : NAN);
  if (server_pid > 0) {
    j.add("server_pid", server_pid).add("server_cpu_s", server_cpu);
    j.add("server_cpu_per_request_us", pages ? server_cpu / static_cast<double>(pages) * 1e6 : NAN);
  }
  if (a.has("site-links")) {
    corio_bench::site_params sp;
    sp.pages = static_cast<std::uint64_t>(a.get_long("site-pages", static_cast<long long>(n)));
    sp.links = static_cast<unsigned>(a.get_long("site-links", 8));
    sp.seed = static_cast<std::uint64_t>(a.get_long("site-seed", 0));
    corio_bench::site s(sp);
    const auto chk = corio_crawl::check_crawl(wl.front(), s, n);
    j.add("site_check", co.list ? std::string("list") : chk.verdict()).add("site_depth", chk.depth);
    if (!co.list && std::isfinite(co.latency_s)) {
      const std::size_t c = std::max<std::size_t>(1, res.concurrency);
      const double rounds = std::max<double>(std::ceil(static_cast<double>(chk.expected) / static_cast<double>(c)),
                                             static_cast<double>(chk.depth) + 1);
      j.add("ideal_crawl_s", rounds * co.latency_s).add("wall_over_ideal_crawl", res.m.wall_s / (rounds * co.latency_s));
    }
  }
  std::cout << j.str() << std::endl;
  return res.complete ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "corio-crawl: %s\n%s", e.what(), kUsage);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "corio-crawl: error: %s\n", e.what());
    return 1;
  }
}
