// The crawl / fetch workload (crawl_workload.hpp).
#include "crawl/crawl_workload.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <optional>
#include <stdexcept>
#include <system_error>

#include <corio/error.hpp>
#include <corio/http/client.hpp>
#include <corio/http/error.hpp>
#include <corio/sync/event.hpp>
#include <corio/sync/semaphore.hpp>

#include "httpkit/links.hpp"

namespace corio_crawl {

namespace http = corio::http;

// The coroutine models' state, created on the runtime's thread by the first run_async.
struct crawl_workload::async_state {
  http::client client;
  corio::semaphore sem;
  std::vector<corio::event> filled;  // per slot: set once the slot is filled or will never be
  async_state(const http::client_options& o, std::size_t c, std::size_t n) : client(o), sem(c), filled(n) {}
};

http::url list_url(const http::url& first, std::size_t i) {
  const std::string_view path = first.path();
  std::string s = "http://";
  s += first.authority();
  s += path.substr(0, path.rfind('/') + 1);
  s += std::to_string(i);
  if (!first.query().empty()) {
    s += '?';
    s += first.query();
  }
  return http::url::parse(s);
}

crawl_workload::crawl_workload(crawl_options o) : opts_(std::move(o)), start_(http::url::parse(opts_.url)) {
  if (opts_.concurrency == 0) throw std::invalid_argument("crawl: concurrency must be at least 1");
  opts_.http.max_idle_per_host = opts_.concurrency;
  void* p = ::mmap(nullptr, sizeof(sem_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::system_error(errno, std::system_category(), "crawl: mmap");
  sem_ = static_cast<sem_t*>(p);
  const unsigned permits = opts_.concurrency > SEM_VALUE_MAX ? SEM_VALUE_MAX : static_cast<unsigned>(opts_.concurrency);
  if (sem_init(sem_, 1, permits) != 0) {
    const int e = errno;
    ::munmap(p, sizeof(sem_t));
    throw std::system_error(e, std::system_category(), "crawl: sem_init");
  }
}

crawl_workload::~crawl_workload() {
  sem_destroy(sem_);
  ::munmap(sem_, sizeof(sem_t));
}

void crawl_workload::describe(corio_bench::json_line& j) const {
  j.add("url", start_.str()).add("mode", opts_.list ? "list" : "crawl").add("concurrency_limit", opts_.concurrency);
  j.add("keep_alive", opts_.http.keep_alive).add("strip_text", !opts_.exact_links);
  j.add("latency_ms", opts_.latency_s * 1000).add("request_timeout_ms", static_cast<long>(opts_.http.request_timeout.count()));
}

void crawl_workload::prepare(std::size_t n) {
  async_.reset();
  // A fetch that hangs longer than its own deadline can only be a dead process: see frontier.hpp.
  const auto stall = 2 * opts_.http.request_timeout + std::chrono::milliseconds(5000);
  frontier_ = std::make_unique<frontier>(n ? n : 1, stall);
  if (opts_.list) {
    for (std::size_t i = 0; i < n; ++i) frontier_->seed(list_url(start_, i));
  } else {
    frontier_->seed(start_);
  }
  blocking_ = std::make_unique<corio_httpkit::blocking_client>(opts_.http);
}

void crawl_workload::worker_stop() {
  // Coroutine models: the async client's pooled connections belong to the runtime, which still
  // exists here (worker_stop runs after block_on). Thread models never create async_.
  if (async_) async_.reset();
}

bool crawl_workload::valid_result(std::size_t, std::uint64_t v) const {
  const std::uint64_t status = v & 0xFFFF;
  return v == no_page || (status >= 100 && status < 600);
}

std::uint64_t crawl_workload::value_of(const http::response& r) noexcept {
  return static_cast<std::uint64_t>(r.status) | (static_cast<std::uint64_t>(r.body.size()) << 16);
}

std::vector<http::url> crawl_workload::process(const http::response& r) {
  crawl_counters& c = frontier_->counters();
  c.pages.fetch_add(1, std::memory_order_relaxed);
  c.body_bytes.fetch_add(r.body.size(), std::memory_order_relaxed);
  const bool ok = r.status >= 200 && r.status < 300;
  if (ok) c.pages_2xx.fetch_add(1, std::memory_order_relaxed);
  if (r.status >= 400) c.http_errors.fetch_add(1, std::memory_order_relaxed);
  if (r.redirects > 0) c.redirected.fetch_add(1, std::memory_order_relaxed);
  if (opts_.list || !ok) return {};
  if (!http::same_host(r.final_url, start_)) {
    c.offsite_final.fetch_add(1, std::memory_order_relaxed);
    return {};
  }
  if (auto ct = r.header_value("Content-Type"); ct && ct->find("html") == std::string_view::npos) return {};
  corio_httpkit::link_options lo;
  lo.strip_text = !opts_.exact_links;
  std::vector<http::url> all;
  try {
    all = corio_httpkit::extract_links(r.body, r.final_url, lo);
  } catch (const std::system_error&) {
    c.extract_errors.fetch_add(1, std::memory_order_relaxed);  // html_too_deep: a page, without links
    return {};
  }
  c.links.fetch_add(all.size(), std::memory_order_relaxed);
  std::vector<http::url> same;
  same.reserve(all.size());
  for (auto& u : all) {
    if (http::same_host(u, start_)) {
      same.push_back(std::move(u));
    } else {
      c.links_offsite.fetch_add(1, std::memory_order_relaxed);
    }
  }
  return same;
}

void crawl_workload::count_error(const std::exception& e) {
  crawl_counters& c = frontier_->counters();
  std::atomic<std::uint64_t>* k = &c.err_other;
  if (auto* se = dynamic_cast<const std::system_error*>(&e)) {
    const std::error_code ec = se->code();
    if (ec == http::errc::timeout || ec == std::errc::timed_out) {
      k = &c.err_timeout;
    } else if (ec == http::errc::connection_reset || ec == std::errc::connection_reset) {
      k = &c.err_reset;
    } else if (ec == std::errc::connection_refused) {
      k = &c.err_refused;
    } else if (ec == http::errc::truncated) {
      k = &c.err_truncated;
    } else if (ec == http::errc::malformed_response || ec == http::errc::header_too_large ||
               ec == http::errc::body_too_large) {
      k = &c.err_malformed;
    } else if (ec == http::errc::too_many_redirects) {
      k = &c.err_redirects;
    } else if (ec == std::errc::too_many_files_open || ec == std::errc::too_many_files_open_in_system) {
      k = &c.err_no_fds;
    }
  }
  k->fetch_add(1, std::memory_order_relaxed);
  frontier_->note_error(e.what());
}

std::uint64_t crawl_workload::run_blocking(std::size_t i) {
  const std::optional<std::string_view> u = frontier_->wait_blocking(i);
  if (!u) {
    frontier_->counters().no_page.fetch_add(1, std::memory_order_relaxed);
    return no_page;
  }
  http::url target = http::url::parse(*u);  // stored normalised: parsing again cannot fail
  while (sem_wait(sem_) != 0 && errno == EINTR) {
  }
  std::optional<http::response> r;
  try {
    r = blocking_->get(target);
  } catch (const std::exception& e) {
    sem_post(sem_);
    count_error(e);
    frontier_->complete(i, {});
    throw;
  }
  sem_post(sem_);
  std::vector<http::url> links;
  try {
    links = process(*r);
  } catch (...) {
    frontier_->complete(i, {});
    throw;
  }
  frontier_->complete(i, links);
  return value_of(*r);
}

std::uint64_t crawl_workload::finish_async(const http::response& r, std::vector<http::url>& links,
                                           corio::semaphore::permit_guard& permit) {
  permit.reset();  // the permit bounds requests in flight; link extraction runs after it
  links = process(r);
  return value_of(r);
}

// Small on purpose: 10,000 of these frames may wait at once (for their slot, or for a permit);
// the fetch and its state live in fetch_async's frame, which exists only while the fetch runs.
corio::task<std::uint64_t> crawl_workload::run_async(std::size_t i) {
  if (!async_) async_ = std::make_unique<async_state>(opts_.http, opts_.concurrency, frontier_->capacity());
  async_state& as = *async_;
  bool ended = false;
  std::optional<std::string_view> u = frontier_->try_get(i, ended);
  while (!u && !ended) {
    co_await as.filled[i].wait();
    u = frontier_->try_get(i, ended);
  }
  if (!u) {
    frontier_->counters().no_page.fetch_add(1, std::memory_order_relaxed);
    co_return no_page;
  }
  co_return co_await fetch_async(i, *u, co_await as.sem.permit());
}

corio::task<std::uint64_t> crawl_workload::fetch_async(std::size_t i, std::string_view u,
                                                       corio::semaphore::permit_guard permit) {
  async_state& as = *async_;
  std::vector<http::url> links;
  std::uint64_t value = 0;
  std::exception_ptr failure;
  try {
    value = finish_async(co_await as.client.get(http::url::parse(u)), links, permit);
  } catch (const std::exception& e) {
    if (permit) count_error(e);  // a fetch failure (not one of link extraction)
    failure = std::current_exception();
  }
  permit.reset();
  const frontier::publish_result pr = frontier_->complete(i, links);
  for (std::size_t j = pr.first; j < pr.last; ++j) as.filled[j].set();
  if (pr.ended) {
    for (std::size_t j = pr.last; j < as.filled.size(); ++j) as.filled[j].set();
  }
  if (failure) std::rethrow_exception(failure);
  co_return value;
}

void crawl_workload::report(corio_bench::json_line& j) const {
  if (!frontier_) return;
  frontier& f = *frontier_;
  const crawl_counters& c = f.counters();
  auto v = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  j.add("pages", v(c.pages)).add("pages_2xx", v(c.pages_2xx)).add("http_errors", v(c.http_errors));
  j.add("no_page", v(c.no_page)).add("unique_urls", f.filled()).add("crawl_ended", f.ended()).add("stalled", f.stalled());
  j.add("body_bytes", v(c.body_bytes)).add("redirected", v(c.redirected)).add("offsite_final", v(c.offsite_final));
  j.add("links", v(c.links)).add("links_offsite", v(c.links_offsite)).add("links_new", v(c.links_new));
  j.add("links_dropped", v(c.links_dropped)).add("extract_errors", v(c.extract_errors));
  const std::uint64_t errors = v(c.err_timeout) + v(c.err_reset) + v(c.err_refused) + v(c.err_truncated) +
                               v(c.err_malformed) + v(c.err_redirects) + v(c.err_no_fds) + v(c.err_other);
  j.add("fetch_errors", errors).add("err_timeout", v(c.err_timeout)).add("err_reset", v(c.err_reset));
  j.add("err_refused", v(c.err_refused)).add("err_truncated", v(c.err_truncated)).add("err_malformed", v(c.err_malformed));
  j.add("err_redirects", v(c.err_redirects)).add("err_no_fds", v(c.err_no_fds)).add("err_other", v(c.err_other));
  j.add("first_error", f.first_error());
}

}  // namespace corio_crawl
