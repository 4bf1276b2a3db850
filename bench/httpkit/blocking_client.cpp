// The blocking HTTP/1.1 client (httpkit/blocking_client.hpp).
#include "httpkit/blocking_client.hpp"

#include <corio/error.hpp>
#include <corio/http/error.hpp>
#include <corio/http/parser.hpp>
#include <corio/http/pool.hpp>
#include <corio/http/redirect.hpp>

#include <unistd.h>

#include "httpkit/socket_io.hpp"

namespace corio_httpkit {

using corio::http::append_request;
using corio::http::client_options;
using corio::http::client_stats;
using corio::http::connection_pool;
using corio::http::errc;
using corio::http::method;
using corio::http::redirect_target;
using corio::http::request_options;
using corio::http::response;
using corio::http::response_parser;
using corio::http::throw_error;
using corio::http::to_string;
using corio::http::url;

struct blocking_client::pool_type : connection_pool<detail::socket_fd> {
  using connection_pool::connection_pool;
};

namespace {

// The context of a system_error: its what() without the trailing ": <message>".
std::string context_of(const std::system_error& e) {
  std::string w = e.what();
  std::string suffix = ": " + e.code().message();
  if (w.size() >= suffix.size() && w.compare(w.size() - suffix.size(), suffix.size(), suffix) == 0) {
    w.erase(w.size() - suffix.size());
  }
  return w;
}

// A request on a reused connection that failed this way, before any response byte, met a
// connection the server had closed while it sat in the pool.
bool is_stale_connection_error(const std::error_code& ec) {
  return ec == errc::truncated || ec == errc::connection_reset;
}

// now + d, saturating instead of overflowing for huge timeouts.
blocking_client::clock::time_point after(std::chrono::milliseconds d) {
  auto now = blocking_client::clock::now();
  if (d > std::chrono::duration_cast<std::chrono::milliseconds>(blocking_client::clock::time_point::max() - now)) {
    return blocking_client::clock::time_point::max();
  }
  return now + d;
}

}  // namespace

blocking_client::blocking_client(client_options options)
    : options_(std::move(options)),
      pool_(std::make_unique<pool_type>(options_.max_idle_per_host)),
      owner_pid_(static_cast<int>(::getpid())) {}

blocking_client::~blocking_client() = default;

client_stats blocking_client::stats() const noexcept {
  return {requests_.load(std::memory_order_relaxed), opened_.load(std::memory_order_relaxed),
          reused_.load(std::memory_order_relaxed), retries_.load(std::memory_order_relaxed)};
}
std::size_t blocking_client::idle_connections() const { return pool_->idle(); }
void blocking_client::close_idle_connections() { pool_->clear(); }

response blocking_client::request(method m, const url& u) {
  return request(m, u, after(options_.request_timeout));
}

response blocking_client::request(method m, const url& u, clock::time_point deadline) {
  url current = u;
  int redirects = 0;
  try {
    if (u.empty()) throw_error(errc::invalid_url, "empty URL");
    for (;;) {
      response r = exchange(m, current, deadline);
      if (options_.follow_redirects) {
        if (auto next = redirect_target(r, current)) {
          if (redirects >= options_.max_redirects) {
            throw_error(errc::too_many_redirects, "more than " + std::to_string(options_.max_redirects) +
                                                      " redirects, the last to " + next->str());
          }
          ++redirects;
          current = std::move(*next);
          continue;
        }
      }
      r.final_url = std::move(current);
      r.redirects = redirects;
      return r;
    }
  } catch (const std::system_error& e) {
    std::string where = std::string(to_string(m)) + " " + (u.empty() ? std::string("(empty URL)") : u.str());
    if (redirects > 0) where += " (redirected to " + current.str() + ")";
    throw corio::error(e.code(), where + ": " + context_of(e));
  }
}

response blocking_client::exchange(method m, const url& u, clock::time_point deadline) {
  std::string req;
  request_options ro;
  ro.keep_alive = options_.keep_alive;
  ro.user_agent = options_.user_agent;
  append_request(req, m, u, ro);
  std::string origin = u.origin();
  int pid = static_cast<int>(::getpid());
  if (owner_pid_.load(std::memory_order_relaxed) != pid) {
    pool_->clear();  // a fork() child: close its copies of the parent's idle connections
    owner_pid_.store(pid, std::memory_order_relaxed);
  }
  response_parser parser(options_.limits);
  char buf[16 * 1024];

  for (int attempt = 0;; ++attempt) {
    detail::socket_fd conn;
    bool reused = false;
    if (attempt == 0 && options_.keep_alive) {
      if (auto c = pool_->take(origin)) {
        conn = std::move(*c);
        reused = true;
      }
    }
    if (!conn) {
      auto connect_deadline = std::min(deadline, after(options_.connect_timeout));
      conn = detail::connect_to(u, connect_deadline);
      opened_.fetch_add(1, std::memory_order_relaxed);
    } else {
      reused_.fetch_add(1, std::memory_order_relaxed);
    }
    requests_.fetch_add(1, std::memory_order_relaxed);
    parser.reset(m);
    try {
      detail::send_all(conn, req, deadline);
      bool leftover = false;
      bool first = true;
      while (!parser.complete()) {
        std::size_t n = detail::recv_some(conn, buf, sizeof buf, deadline, first);
        first = false;
        if (n == 0) {
          parser.finish();
          break;
        }
        std::size_t used = parser.feed({buf, n});
        leftover = used < n;
      }
      response r = parser.take();
      if (options_.keep_alive && r.keep_alive && !leftover) pool_->put(origin, std::move(conn));
      return r;
    } catch (const std::system_error& e) {
      if (reused && !parser.started() && is_stale_connection_error(e.code())) {
        retries_.fetch_add(1, std::memory_order_relaxed);
        continue;  // `conn` is closed; the next attempt opens a new connection
      }
      throw;
    }
  }
}

}  // namespace corio_httpkit
