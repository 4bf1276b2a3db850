// corio's asynchronous HTTP/1.1 client (corio/http/client.hpp).
//
// One fetch is the loop docs/api-http.md describes ("Writing a client on another transport"), the
// loop blocking_client.cpp runs with poll() waits, here with corio::net operations:
//   request()  one deadline for everything: corio::timeout_at around fetch() (a timer-heap entry,
//              no kernel timeout per operation), and the mapping of every failure to the error
//              table, with "GET <url>: " in front;
//   fetch()    the redirect loop;
//   exchange() one request/response on a pooled or new connection, with the single retry of a
//              pooled connection that the server had closed while it was idle.
#include <corio/cancel.hpp>
#include <corio/error.hpp>
#include <corio/http/client.hpp>
#include <corio/http/error.hpp>
#include <corio/http/parser.hpp>
#include <corio/http/pool.hpp>
#include <corio/http/redirect.hpp>
#include <corio/net/address.hpp>
#include <corio/net/errors.hpp>
#include <corio/net/tcp_stream.hpp>

#include <algorithm>
#include <chrono>
#include <string>

namespace corio::http {

struct client::pool_type : connection_pool<net::tcp_stream> {
  using connection_pool::connection_pool;
};

// What one request is doing, for the message of a timeout, and where its redirects led.
struct client::exchange_state {
  url current;
  int redirects = 0;
  const char* phase = "connecting";
};

namespace {

// what() without the trailing ": <message>" (the context a corio::error was built with).
std::string context_of(const std::system_error& e) {
  std::string w = e.what();
  const std::string suffix = ": " + e.code().message();
  if (w.size() >= suffix.size() && w.compare(w.size() - suffix.size(), suffix.size(), suffix) == 0) {
    w.erase(w.size() - suffix.size());
  }
  return w;
}

// A request on a reused connection that failed this way before any byte of the response met a
// connection the server closed while it sat in the pool (a write may still succeed: the kernel
// takes the bytes, and the FIN or RST shows on the read).
bool is_stale_connection_error(const std::error_code& ec) {
  return ec == errc::truncated || ec == std::errc::connection_reset || ec == std::errc::broken_pipe;
}

// The codes every model reports alike (docs/api-http.md, "Errors").
std::error_code map_code(const std::error_code& ec) {
  if (ec == corio::errc::timed_out) return make_error_code(errc::timeout);
  if (ec == corio::errc::eof) return make_error_code(errc::truncated);
  if (ec.category() == std::system_category() && (ec.value() == ECONNRESET || ec.value() == EPIPE)) {
    return make_error_code(errc::connection_reset);
  }
  if (ec.category() == net::resolve_error_category()) return make_error_code(errc::resolve_failed);
  return ec;
}

// Connects to u's host and port: a numeric host directly, a name through corio::net::resolve.
// A connect deadline that passes is reported as errc::timeout here, so that corio::errc::timed_out
// reaching request() always means "the request's deadline".
task<net::tcp_stream> connect_to(const url& u, deadline d) {
  const std::string host(u.host());
  try {
    if (auto a = net::ip_address::try_parse(host)) co_return co_await net::tcp_stream::connect(net::endpoint(*a, u.port()), d);
    co_return co_await net::tcp_stream::connect(host, u.port(), d);
  } catch (const std::system_error& e) {
    if (e.code() != corio::errc::timed_out) throw;
  }
  throw_error(errc::timeout, "connect to " + std::string(u.authority()) + " timed out");
}

std::size_t next_read_size(std::size_t received) {
  constexpr std::size_t lo = 4096, hi = 64 * 1024;
  const std::size_t want = (received + 256 + 1023) / 1024 * 1024;  // the page plus headroom, whole KiB
  return std::clamp(want, lo, hi);
}

}  // namespace

client::client(client_options options)
    : options_(std::move(options)), pool_(std::make_unique<pool_type>(options_.max_idle_per_host)) {}

client::~client() = default;

std::size_t client::idle_connections() const { return pool_->idle(); }
void client::close_idle_connections() { pool_->clear(); }

task<response> client::get(std::string_view u) {
  // A view must not outlive the caller's string: copy it before the (lazy) task starts.
  return [](client& self, std::string text) -> task<response> {
    std::error_code ec;
    std::optional<url> parsed = url::parse(text, ec);
    if (!parsed) throw corio::error(ec, "GET " + text);
    co_return co_await self.request(method::get, std::move(*parsed));
  }(*this, std::string(u));
}

task<response> client::request(method m, url u) {
  // now + request_timeout, saturating (deadline does): computed when the request starts.
  co_return co_await request(m, std::move(u), deadline(options_.request_timeout));
}

task<response> client::request(method m, url u, deadline d) {
  exchange_state st;
  st.current = u;
  try {
    if (u.empty()) throw_error(errc::invalid_url, "empty URL");
    if (d.is_set()) {
      const clock::time_point at{std::chrono::nanoseconds(d.ns())};
      co_return co_await corio::timeout_at(at, fetch(m, u, d, st));
    }
    co_return co_await fetch(m, u, d, st);
  } catch (const std::system_error& e) {
    std::string where = std::string(to_string(m)) + " " + (u.empty() ? std::string("(empty URL)") : u.str());
    if (st.redirects > 0) where += " (redirected to " + st.current.str() + ")";
    if (e.code() == corio::errc::timed_out) {  // the request's own deadline (see connect_to)
      throw corio::error(make_error_code(errc::timeout), where + ": " + st.phase);
    }
    throw corio::error(map_code(e.code()), where + ": " + context_of(e));
  }
  throw_error(corio::errc::invalid_argument, "unreachable");  // every path above returns or throws
}

task<response> client::fetch(method m, url u, deadline d, exchange_state& st) {
  st.current = std::move(u);
  for (;;) {
    response r = co_await exchange(m, st.current, d, st);
    if (options_.follow_redirects) {
      if (auto next = redirect_target(r, st.current)) {
        if (st.redirects >= options_.max_redirects) {
          throw_error(errc::too_many_redirects,
                      "more than " + std::to_string(options_.max_redirects) + " redirects, the last to " + next->str());
        }
        ++st.redirects;
        st.current = std::move(*next);
        continue;
      }
    }
    r.final_url = st.current;
    r.redirects = st.redirects;
    co_return r;
  }
}

task<response> client::exchange(method m, const url& u, deadline d, exchange_state& st) {
  std::string req;
  request_options ro;
  ro.keep_alive = options_.keep_alive;
  ro.user_agent = options_.user_agent;
  append_request(req, m, u, ro);
  const std::string origin = u.origin();
  response_parser parser(options_.limits);

  for (int attempt = 0;; ++attempt) {
    net::tcp_stream conn;
    bool reused = false;
    if (attempt == 0 && options_.keep_alive) {
      if (auto c = pool_->take(origin)) {
        conn = std::move(*c);
        reused = true;
      }
    }
    if (!conn.is_open()) {
      st.phase = "connecting";
      conn = co_await connect_to(u, earliest(d, deadline(options_.connect_timeout)));
      ++stats_.connections_opened;
    } else {
      ++stats_.connections_reused;
    }
    ++stats_.requests;
    parser.reset(m);
    try {
      st.phase = "sending the request";
      co_await conn.write_all(req);
      st.phase = "waiting for the response";
      const std::size_t size = read_size_;
      std::unique_ptr<char[]> buf(new char[size]);
      std::size_t received = 0;
      bool leftover = false;
      while (!parser.complete()) {
        const std::size_t n = co_await conn.read_some(buf.get(), size);
        if (n == 0) {
          parser.finish();  // completes a read-until-close body, else throws truncated
          break;
        }
        st.phase = "reading the response";
        received += n;
        const std::size_t used = parser.feed({buf.get(), n});
        leftover = used < n;
      }
      response r = parser.take();
      read_size_ = next_read_size(received);
      if (options_.keep_alive && r.keep_alive && !leftover) pool_->put(origin, std::move(conn));
      co_return r;
    } catch (const std::system_error& e) {
      if (!(reused && !parser.started() && is_stale_connection_error(e.code()))) throw;
    }
    ++stats_.stale_retries;  // `conn` is closed; the next attempt opens a new connection
  }
}

}  // namespace corio::http
