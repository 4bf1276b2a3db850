// corio-site: the slow site server of the crawler benchmark (bench/crawl/site_server.hpp).
//
//   corio-site --port 0 --pages 10000 --page-bytes 4096 --links 8 --delay-ms 100 [--jitter-ms 10]
//
// Serves the deterministic synthetic site (bench/crawl/site.hpp) on 127.0.0.1 with every response
// delayed by --delay-ms. One thread, one corio runtime. Prints one JSON line when it listens:
//   {"event":"listening","port":40123,"pid":4242,"backend":"io_uring",...}
// (with --port 0 the kernel picks the port: scripts and tests read it from that line; the pages are
// generated before it, when they fit in 512 MiB), and one
// with its counters when SIGINT or SIGTERM stops it. Raises its RLIMIT_NOFILE soft limit to the
// hard limit, so that it can hold as many connections as the machine allows one process.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include <corio/corio.hpp>

#include "common/args.hpp"
#include "common/json.hpp"
#include "crawl/site_server.hpp"

namespace {

const char* const kUsage =
    "usage: corio-site [--port P] [--host 127.0.0.1] [--pages N] [--page-bytes B] [--links K]\n"
    "                  [--delay-ms L] [--jitter-ms J] [--seed S] [--no-decoys] [--backend uring|asio|auto]\n"
    "                  [--accept-tasks A] [--idle-timeout-ms T]\n"
    "Serves /page/0 .. /page/N-1 (also /chunked/i and /redirect/i), each response delayed by L ms\n"
    "(+/- up to J ms). Defaults: port 0 (printed), 1000 pages of 4096 bytes, 8 links, no delay.\n";

corio::backend_kind parse_backend(const std::string& b) {
  if (b == "uring" || b == "io_uring") return corio::backend_kind::io_uring;
  if (b == "asio") return corio::backend_kind::asio;
  if (b == "auto" || b == "automatic") return corio::backend_kind::automatic;
  throw std::invalid_argument("--backend: uring, asio or auto, not '" + b + "'");
}

void raise_nofile() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
  }
}

corio::task<int> run(const std::string& host, std::uint16_t port, const corio_bench::site_server_config& cfg,
                     corio::signal_set& stop_signals, corio::runtime& rt) {
  corio_bench::site_server_stats stats;
  const corio_bench::site_content content(cfg.site, cfg.cache_bytes);  // before "listening": pages ready
  auto listener = corio::net::tcp_listener::bind(corio::net::endpoint(corio::net::ip_address::parse(host), port),
                                                 corio::net::listen_options{.backlog = 65535});
  {
    corio_bench::json_line j;
    j.add("event", "listening").add("host", host).add("port", listener.local_endpoint().port());
    j.add("pid", static_cast<long>(::getpid())).add("backend", corio::to_string(rt.backend()));
    j.add("pages", cfg.site.pages).add("page_bytes", cfg.site.page_bytes).add("links", cfg.site.links);
    j.add("delay_ms", static_cast<long>(cfg.delay.count())).add("jitter_ms", static_cast<long>(cfg.jitter.count()));
    j.add("pages_cached", content.cached());
    std::cout << j.str() << std::endl;  // flushed: scripts wait for this line
  }
  auto server = corio::spawn(corio_bench::serve_site(listener, cfg, content, stats));
  // SIGINT / SIGTERM through the runtime's backend (corio::signal_set): the loop keeps serving.
  const int sig = co_await stop_signals.wait();
  server.cancel();
  try {
    co_await server;
  } catch (const std::system_error&) {
    // operation_aborted: the server was cancelled
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  corio_bench::json_line j;
  j.add("event", "stopped").add("signal", sig).add("connections", stats.connections);
  j.add("peak_connections", stats.peak_connections).add("requests", stats.requests);
  j.add("responses_200", stats.responses_200).add("responses_other", stats.responses_other);
  j.add("accept_errors", stats.accept_errors).add("connection_errors", stats.connection_errors);
  j.add("cpu_s", static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                     static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
  j.add("maxrss_kb", ru.ru_maxrss);
  std::cout << j.str() << std::endl;
  co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    corio_bench::args a(argc - 1, argv + 1,
                        {"port", "host", "pages", "page-bytes", "links", "delay-ms", "jitter-ms", "seed", "backend",
                         "accept-tasks", "idle-timeout-ms"},
                        {"no-decoys", "help"});
    if (a.has("help")) {
      std::cout << kUsage;
      return 0;
    }
    if (!a.positional().empty()) throw std::invalid_argument("unexpected argument '" + a.positional()[0] + "'");
    corio_bench::site_server_config cfg;
    cfg.site.pages = static_cast<std::uint64_t>(a.get_long("pages", 1000));
    cfg.site.page_bytes = static_cast<std::size_t>(a.get_long("page-bytes", 4096));
    cfg.site.links = static_cast<unsigned>(a.get_long("links", 8));
    cfg.site.seed = static_cast<std::uint64_t>(a.get_long("seed", 0));
    cfg.site.decoys = !a.has("no-decoys");
    cfg.delay = std::chrono::milliseconds(a.get_long("delay-ms", 0));
    cfg.jitter = std::chrono::milliseconds(a.get_long("jitter-ms", 0));
    cfg.accept_tasks = static_cast<unsigned>(a.get_long("accept-tasks", cfg.accept_tasks));
    cfg.idle_timeout = std::chrono::milliseconds(a.get_long("idle-timeout-ms", 0));
    const long long port = a.get_long("port", 0);
    if (port > 65535) throw std::invalid_argument("--port: 0..65535");
    const std::string host = a.get("host", "127.0.0.1");
    if (!corio::net::ip_address::try_parse(host)) throw std::invalid_argument("--host: an IP address, not '" + host + "'");
    corio_bench::site check(cfg.site);  // validates pages, links, page bytes (std::invalid_argument)
    (void)check;

    corio::signal_set stop{SIGINT, SIGTERM};  // before any thread exists: every thread inherits the mask
    raise_nofile();

    corio::runtime_options ro;
    ro.backend = parse_backend(a.get("backend", "uring"));
    corio::runtime rt(ro);
    return rt.block_on(run(host, static_cast<std::uint16_t>(port), cfg, stop, rt));
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "corio-site: %s\n%s", e.what(), kUsage);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "corio-site: error: %s\n", e.what());
    return 1;
  }
}
