// The asio-awaitable reference model and its plain-Asio HTTP client (crawl_asio.hpp).
//
// The client is corio::http::client's loop (client.cpp) written with Asio's own primitives; keep
// the two in step. Differences that are Asio's, not the algorithm's: the request deadline is a
// steady_timer whose handler cancels the socket (Asio's idiom for a deadline on a coroutine that
// awaits several operations), and the keep-alive pool is a plain map (one thread).
#include "crawl/crawl_asio.hpp"

#include <asio.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <corio/error.hpp>
#include <corio/http/error.hpp>
#include <corio/http/parser.hpp>
#include <corio/http/redirect.hpp>
#include <corio/http/request.hpp>

#include "crawl/crawl_workload.hpp"
#include "models/measure.hpp"

namespace corio_crawl {
namespace {

using asio::ip::tcp;
namespace http = corio::http;
using corio_models::run_context;
using corio_models::task_record;
using corio_models::task_state;

// The request deadline: the timer's handler cancels whatever socket the request is using.
struct watchdog {
  tcp::socket* sock = nullptr;
  bool expired = false;
  const char* phase = "connecting";
};

// Points the watchdog at a socket for the guard's lifetime (declared after the socket, so that it
// lets go of it first).
struct watch_guard {
  watchdog& w;
  watch_guard(watchdog& wd, tcp::socket& s) : w(wd) { w.sock = &s; }
  ~watch_guard() { w.sock = nullptr; }
  watch_guard(const watch_guard&) = delete;
  watch_guard& operator=(const watch_guard&) = delete;
};

struct asio_client {
  http::client_options opts;
  std::unordered_map<std::string, std::vector<tcp::socket>> idle;
  std::size_t read_size = 4096;
};

// what() without the trailing ": <message>".
std::string context_of(const std::system_error& e) {
  std::string w = e.what();
  const std::string suffix = ": " + e.code().message();
  if (w.size() >= suffix.size() && w.compare(w.size() - suffix.size(), suffix.size(), suffix) == 0) {
    w.erase(w.size() - suffix.size());
  }
  return w;
}

void check_deadline(const watchdog& wd) {
  if (wd.expired) throw std::system_error(asio::error::operation_aborted);
}

asio::awaitable<tcp::socket> connect(const http::url& u, watchdog& wd) {
  auto ex = co_await asio::this_coro::executor;
  std::vector<tcp::endpoint> eps;
  asio::error_code ec;
  const std::string host(u.host());
  const asio::ip::address a = asio::ip::make_address(host, ec);
  if (!ec) {
    eps.emplace_back(a, u.port());
  } else {
    tcp::resolver r(ex);
    auto results = co_await r.async_resolve(host, std::to_string(u.port()), asio::use_awaitable);
    for (const auto& e : results) eps.push_back(e.endpoint());
  }
  std::error_code last;
  for (const tcp::endpoint& ep : eps) {
    check_deadline(wd);
    tcp::socket s(ex);
    s.open(ep.protocol());
    watch_guard g(wd, s);
    asio::error_code cec;
    co_await s.async_connect(ep, asio::redirect_error(asio::use_awaitable, cec));
    if (!cec) co_return s;
    if (cec == asio::error::operation_aborted) throw std::system_error(cec);
    last = cec;
  }
  throw std::system_error(last ? last : std::make_error_code(std::errc::host_unreachable), "connect to " + host);
}

// Asio reports errno values in its own category ("asio.system"); corio's clients report them in
// std::system_category(), so every model's errors compare and count alike.
std::error_code normalize(std::error_code ec) {
  if (ec.category() == asio::system_category()) return {ec.value(), std::system_category()};
  return ec;
}

bool is_stale(std::error_code ec) {
  ec = normalize(ec);
  return ec == http::errc::truncated || ec == std::errc::connection_reset || ec == std::errc::broken_pipe;
}

std::size_t next_read_size(std::size_t received) {
  const std::size_t want = (received + 256 + 1023) / 1024 * 1024;
  return std::clamp<std::size_t>(want, 4096, 64 * 1024);
}

asio::awaitable<http::response> exchange(asio_client& c, http::method m, const http::url& u, watchdog& wd) {
  std::string req;
  http::request_options ro;
  ro.keep_alive = c.opts.keep_alive;
  ro.user_agent = c.opts.user_agent;
  http::append_request(req, m, u, ro);
  const std::string origin = u.origin();
  http::response_parser parser(c.opts.limits);
  for (int attempt = 0;; ++attempt) {
    std::optional<tcp::socket> conn;
    bool reused = false;
    if (attempt == 0 && c.opts.keep_alive) {
      auto it = c.idle.find(origin);
      if (it != c.idle.end() && !it->second.empty()) {
        conn.emplace(std::move(it->second.back()));
        it->second.pop_back();
        reused = true;
      }
    }
    if (!conn) {
      wd.phase = "connecting";
      conn.emplace(co_await connect(u, wd));
    }
    watch_guard g(wd, *conn);
    parser.reset(m);
    try {
      wd.phase = "sending the request";
      check_deadline(wd);
      co_await asio::async_write(*conn, asio::buffer(req), asio::use_awaitable);
      wd.phase = "waiting for the response";
      const std::size_t size = c.read_size;
      std::unique_ptr<char[]> buf(new char[size]);
      std::size_t received = 0;
      bool leftover = false;
      while (!parser.complete()) {
        check_deadline(wd);
        asio::error_code ec;
        const std::size_t n =
            co_await conn->async_read_some(asio::buffer(buf.get(), size), asio::redirect_error(asio::use_awaitable, ec));
        if (ec == asio::error::eof) {
          parser.finish();
          break;
        }
        if (ec) throw std::system_error(ec);
        wd.phase = "reading the response";
        received += n;
        const std::size_t used = parser.feed({buf.get(), n});
        leftover = used < n;
      }
      http::response r = parser.take();
      c.read_size = next_read_size(received);
      if (c.opts.keep_alive && r.keep_alive && !leftover) {
        auto& list = c.idle[origin];
        if (list.size() < c.opts.max_idle_per_host) list.push_back(std::move(*conn));
      }
      co_return r;
    } catch (const std::system_error& e) {
      if (!(reused && !parser.started() && is_stale(e.code()))) throw;
    }
  }
}

// One fetch: the deadline timer, the redirect loop, the error mapping of corio's clients.
asio::awaitable<http::response> fetch(asio_client& c, http::method m, http::url u) {
  auto ex = co_await asio::this_coro::executor;
  auto wd = std::make_shared<watchdog>();
  asio::steady_timer timer(ex, c.opts.request_timeout);  // cancelled by its destructor when we return
  timer.async_wait([wd](const asio::error_code& ec) {
    if (ec) return;  // cancelled: the request ended first
    wd->expired = true;
    if (wd->sock) {
      asio::error_code ignored;
      wd->sock->cancel(ignored);
    }
  });
  http::url current = u;
  int redirects = 0;
  std::optional<std::system_error> failure;
  try {
    for (;;) {
      http::response r = co_await exchange(c, m, current, *wd);
      if (c.opts.follow_redirects) {
        if (auto next = http::redirect_target(r, current)) {
          if (redirects >= c.opts.max_redirects) http::throw_error(http::errc::too_many_redirects, "too many redirects");
          ++redirects;
          current = std::move(*next);
          continue;
        }
      }
      r.final_url = std::move(current);
      r.redirects = redirects;
      co_return r;
    }
  } catch (const std::system_error& e) {
    failure = e;
  }
  const std::string where = std::string(http::to_string(m)) + " " + u.str();
  if (wd->expired) throw corio::error(http::make_error_code(http::errc::timeout), where + ": " + wd->phase);
  std::error_code ec = normalize(failure->code());
  if (ec.category() == std::system_category() && (ec.value() == ECONNRESET || ec.value() == EPIPE))
    ec = http::make_error_code(http::errc::connection_reset);
  throw corio::error(ec, where + ": " + context_of(*failure));
}

// The run: C workers take task indices in order; a task waits for its slot, fetches, publishes.
struct run_state {
  run_context& ctx;
  crawl_workload& wl;
  asio_client client;
  std::vector<asio::steady_timer*> waiting;  // per slot: the timer its task sleeps on, if any
  std::size_t next = 0;
};

asio::awaitable<std::uint64_t> crawl_task(run_state& st, std::size_t i) {
  frontier& f = st.wl.front();
  bool ended = false;
  std::optional<std::string_view> u = f.try_get(i, ended);
  while (!u && !ended) {
    asio::steady_timer t(co_await asio::this_coro::executor, asio::steady_timer::time_point::max());
    st.waiting[i] = &t;
    asio::error_code ec;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));  // cancelled when filled
    st.waiting[i] = nullptr;
    u = f.try_get(i, ended);
  }
  if (!u) {
    f.counters().no_page.fetch_add(1, std::memory_order_relaxed);
    co_return crawl_workload::no_page;
  }
  std::optional<http::response> r;
  std::exception_ptr failure;
  try {
    r = co_await fetch(st.client, http::method::get, http::url::parse(*u));
  } catch (const std::exception& e) {
    st.wl.count_error(e);
    failure = std::current_exception();
  }
  std::vector<http::url> links;
  if (r) {
    try {
      links = st.wl.process(*r);
    } catch (...) {
      failure = std::current_exception();
    }
  }
  const frontier::publish_result pr = f.complete(i, links);
  auto wake = [&st](std::size_t j) {
    if (st.waiting[j]) st.waiting[j]->cancel();
  };
  for (std::size_t j = pr.first; j < pr.last; ++j) wake(j);
  if (pr.ended)
    for (std::size_t j = pr.last; j < st.waiting.size(); ++j) wake(j);
  if (failure) std::rethrow_exception(failure);
  co_return crawl_workload::value_of(*r);
}

asio::awaitable<void> worker(run_state& st) {
  run_context& ctx = st.ctx;
  for (;;) {
    if (ctx.ctl.should_stop()) break;
    const std::size_t i = st.next++;
    if (i >= ctx.records.size()) break;
    ctx.ctl.started.fetch_add(1, std::memory_order_relaxed);
    task_record& rec = ctx.records[i];
    rec.pid = static_cast<std::int32_t>(::getpid());
    rec.tid = rec.pid;
    rec.start_ns = corio_models::mono_ns();
    try {
      rec.value = co_await crawl_task(st, i);
      rec.state = ctx.wl.valid_result(i, rec.value) ? task_state::ok : task_state::failed;
    } catch (...) {
      rec.state = task_state::failed;
    }
    rec.end_ns = corio_models::mono_ns();
    ++rec.runs;
    corio_models::count_task(ctx.ctl, rec);
  }
}

class asio_awaitable_model final : public corio_models::model {
 public:
  std::string name() const override { return "asio-awaitable"; }
  corio_models::per_task_resource resource() const override { return corio_models::per_task_resource::none; }
  std::size_t concurrency(const corio_models::run_options& o) const override { return o.workers ? o.workers : o.n; }
  void describe(corio_bench::json_line& j) const override {
    j.add("backend", "asio (epoll)").add("threads", 1).add("workers", workers_);
  }

  void run(run_context& ctx) override {
    auto* wl = dynamic_cast<crawl_workload*>(&ctx.wl);
    if (!wl) {
      ctx.ctl.request_stop(corio_models::stop_kind::error, "asio-awaitable runs only the crawl workload");
      return;
    }
    workers_ = std::min(concurrency(ctx.opts), ctx.records.size());
    asio::io_context ioc(1);
    run_state st{ctx, *wl, asio_client{wl->options().http, {}, 4096}, std::vector<asio::steady_timer*>(ctx.records.size()), 0};
    try {
      for (std::size_t w = 0; w < workers_; ++w) asio::co_spawn(ioc, worker(st), asio::detached);
    } catch (const std::bad_alloc&) {
      ctx.ctl.request_stop(corio_models::stop_kind::limit, "co_spawn: out of memory (ENOMEM)", ENOMEM);
    }
    ctx.meter.poke();
    ioc.run();
    st.client.idle.clear();  // close pooled connections before the io_context goes
  }

 private:
  std::size_t workers_ = 0;
};

}  // namespace

std::unique_ptr<corio_models::model> make_asio_awaitable_model() { return std::make_unique<asio_awaitable_model>(); }

}  // namespace corio_crawl
