// bench/crawl/crawl_workload.hpp - the crawl (and fetch) workload: what every execution model runs.
//
// What it does: a corio_models::workload of N tasks (bench/models/workload.hpp), N = max pages.
//   crawl (default)  breadth-first crawl from the start URL: task i fetches the i-th distinct URL
//                    discovered (frontier.hpp), extracts its links with gumbo (corio_httpkit::
//                    extract_links; normalised, de-duplicated), and adds those on the start host
//                    to the frontier. A task whose URL never comes (the site has fewer pages than
//                    N) returns "no page".
//   list (--list)    task i fetches the start URL with its last path segment replaced by i
//                    (http://h/x/page/0 -> /x/page/i); no link extraction.
// Concurrency C bounds the requests in flight: a corio::semaphore for the coroutine models, a
// process-shared POSIX semaphore for threads and processes (pool models also get C workers from
// the driver). Keep-alive connections are pooled per client: one corio::http::client per runtime,
// one blocking_client per process (shared by its threads), at most C idle connections each.
// Errors never stop the crawl: a failed fetch counts by kind (crawl_counters), adds no links, and
// its task is reported failed. HTTP statuses >= 400 are pages with errors, not failed tasks.
// A fetch runs on: run_async (corio's async client, coroutine models), run_blocking (the
// benchmarks' blocking client, bench/httpkit: threads, processes, pools), or the asio-awaitable model's own plain-Asio client
// (crawl_asio.cpp), which uses the helpers below so that the three share everything but the
// waiting.
//
// Threads and processes: run_blocking is thread-safe and fork-safe (state shared through the
// frontier's mapping; the blocking client clears a fork child's copy of the parent's idle
// connections). run_async runs on one runtime's thread.
#pragma once

#include <semaphore.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <corio/http/options.hpp>
#include <corio/http/response.hpp>
#include <corio/http/url.hpp>
#include <corio/sync/semaphore.hpp>

#include "common/json.hpp"
#include "crawl/frontier.hpp"
#include "httpkit/blocking_client.hpp"
#include "models/workload.hpp"

namespace corio_crawl {

struct crawl_options {
  std::string url;                  // start URL (crawl) or the first URL of the list
  std::size_t concurrency = 100;    // C: requests in flight at most
  bool list = false;                // fetch the list instead of crawling
  bool exact_links = false;         // link extraction without link_options::strip_text
  double latency_s = NAN;           // the server's response delay, for ideal = ceil(N/C) * L
  corio::http::client_options http; // timeouts, keep-alive; max_idle_per_host is set to C
};

class crawl_workload final : public corio_models::workload {
 public:
  explicit crawl_workload(crawl_options o);  // throws corio::error for a bad URL
  ~crawl_workload() override;

  std::string name() const override { return opts_.list ? "fetch" : "crawl"; }
  void describe(corio_bench::json_line& j) const override;
  double nominal_task_s() const override { return opts_.latency_s; }
  unsigned fds_per_task() const override { return 1; }

  void prepare(std::size_t n) override;
  void worker_stop() override;
  std::uint64_t run_blocking(std::size_t i) override;
  corio::task<std::uint64_t> run_async(std::size_t i) override;
  bool valid_result(std::size_t i, std::uint64_t v) const override;

  // ---- shared by every client (also crawl_asio.cpp) ----
  static constexpr std::uint64_t no_page = 1;  // the result of a task whose URL never came
  const crawl_options& options() const noexcept { return opts_; }
  const corio::http::url& start() const noexcept { return start_; }
  frontier& front() { return *frontier_; }
  const frontier& front() const { return *frontier_; }
  // Counts a response and returns the same-host links of its page (crawl mode, 2xx HTML).
  std::vector<corio::http::url> process(const corio::http::response& r);
  // Counts a failed fetch by kind (and keeps the first message).
  void count_error(const std::exception& e);
  // A task's result for a response: status | body bytes << 16.
  static std::uint64_t value_of(const corio::http::response& r) noexcept;

  // The result line's crawl part: pages, errors by kind, links, unique URLs...
  void report(corio_bench::json_line& j) const;

 private:
  struct async_state;
  corio::task<std::uint64_t> fetch_async(std::size_t i, std::string_view u, corio::semaphore::permit_guard permit);
  std::uint64_t finish_async(const corio::http::response& r, std::vector<corio::http::url>& links,
                             corio::semaphore::permit_guard& permit);

  crawl_options opts_;
  corio::http::url start_;
  std::unique_ptr<frontier> frontier_;
  std::unique_ptr<corio_httpkit::blocking_client> blocking_;
  sem_t* sem_ = nullptr;  // in a MAP_SHARED page: C permits for threads and processes
  std::unique_ptr<async_state> async_;
};

// "http://h/x/page/0" with its last path segment replaced by i ("http://h/x/page/7"), keeping the
// query. Throws corio::error (invalid_url) when the result is not a URL.
corio::http::url list_url(const corio::http::url& first, std::size_t i);

}  // namespace corio_crawl
