// corio's asynchronous HTTP/1.1 client (corio/http/client.hpp).
//
// One fetch is the loop docs/api-http.md describes ("Writing a client on another transport"), the
// loop bench/httpkit/blocking_client.cpp runs with poll() waits, here with corio::net operations:
//   request()  one deadline for everything: corio::timeout_at around fetch() (a timer-heap entry,
//              no kernel timeout per operation), and the mapping of every failure to the error
//              table, with "GET <url>: " in front;
//   fetch()    the redirect loop;
//   exchange() one request/response on a pooled or new connection, with the single retry of a
//              pooled connection that the server had closed while it was idle.
#include <corio/cancel.hpp>
#include <corio/error.hpp>
#include <optional>

#include <corio/http/client.hpp>
#include <corio/http/error.hpp>
#include <corio/http/parser.hpp>
#include <corio/http/pool.hpp>
#include <corio/http/redirect.hpp>
#include <corio/net/address.hpp>
#include <corio/net/errors.hpp>
#include <corio/net/tcp_stream.hpp>

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <string>

namespace corio::http {

struct client::pool_type : connection_pool<net::tcp_stream> {
  using connection_pool::connection_pool;
};

// One request's state across its redirects: where it is, what it is doing (for the message of a
// timeout), and the bytes of the current hop's request.
struct client::exchange_state {
  url current;
  int redirects = 0;
  const char* phase = "connecting";
  std::string req;     // the request bytes of the current hop
  std::string origin;  // current.origin(): the pool key
  std::unique_ptr<response> answer;  // the final response, once it has come (not in the frame meanwhile)
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

// Connects `out` to u's host and port: a numeric host directly, a name through corio::net::resolve.
// A connect deadline that passes is reported as errc::timeout here, so that corio::errc::timed_out
// reaching request() always means "the request's deadline". (Into the caller's stream, so that
// the caller's frame holds no temporary stream.)
task<void> connect_into(net::tcp_stream& out, const url& u, deadline d) {
  try {
    const std::string host(u.host());
    if (auto a = net::ip_address::try_parse(host)) {
      out = co_await net::tcp_stream::connect(net::endpoint(*a, u.port()), d);
    } else {
      out = co_await net::tcp_stream::connect(host, u.port(), d);
    }
    co_return;
  } catch (const std::system_error& e) {
    if (e.code() != corio::errc::timed_out) throw;
  }
  throw_error(errc::timeout, "connect to " + std::string(u.authority()) + " timed out");
}

// See fetch(): the in-frame buffer a request waits with when many wait at once (it only has to
// wake the request up: drain() reads the rest), and the total of page-sized buffers waiting
// requests may hold.
constexpr std::size_t kHeadBytes = 64;
constexpr std::size_t kWaitBudget = std::size_t{1} << 20;
// Spare read buffers a client keeps for reuse, and the scratch buffer of its synchronous reads.
constexpr std::size_t kMaxSpares = 64;
constexpr std::size_t kScratchBytes = 64 * 1024;

// Counts a request that waits for (or reads) its response, for the time it does.
struct waiting_guard {
  std::size_t& n;
  explicit waiting_guard(std::size_t& c) : n(c) { ++n; }
  ~waiting_guard() { --n; }
  waiting_guard(const waiting_guard&) = delete;
  waiting_guard& operator=(const waiting_guard&) = delete;
};

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
  std::exception_ptr bad;
  try {
    return run(method::get, url::parse(u), deadline{}, true);
  } catch (const std::system_error& e) {
    bad = std::make_exception_ptr(corio::error(e.code(), "GET " + std::string(u) + ": " + context_of(e)));
  }
  // Parse errors are thrown when the task runs, like every other failure.
  return [](std::exception_ptr e) -> task<response> {
    std::rethrow_exception(e);
    co_return response{};
  }(bad);
}

task<response> client::request(method m, url u) { return run(m, std::move(u), deadline{}, true); }
task<response> client::request(method m, url u, deadline d) { return run(m, std::move(u), d, false); }

task<response> client::run(method m, url u, deadline d, bool relative) {
  // Frame size matters here (10,000 requests may wait at once): one coroutine for the deadline,
  // one for the fetch, few locals, and the error formatting in a plain function.
  exchange_state st;
  std::exception_ptr failure;
  try {
    if (u.empty()) throw_error(errc::invalid_url, "empty URL");
    if (relative) d = deadline(options_.request_timeout);  // now + request_timeout, when it starts
    st.current = u;
    const clock::time_point at{std::chrono::nanoseconds(d.is_set() ? d.ns() : INT64_MAX)};
    co_await corio::timeout_at(at, fetch(m, d, st));
    co_return std::move(*st.answer);
  } catch (...) {
    failure = std::current_exception();
  }
  rethrow_failure(failure, m, u, st);
}

void client::rethrow_failure(const std::exception_ptr& failure, method m, const url& u, const exchange_state& st) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::system_error& e) {
    std::string where = std::string(to_string(m)) + " " + (u.empty() ? std::string("(empty URL)") : u.str());
    if (st.redirects > 0) where += " (redirected to " + st.current.str() + ")";
    if (e.code() == corio::errc::timed_out) {  // the request's own deadline (see connect_into)
      throw corio::error(make_error_code(errc::timeout), where + ": " + st.phase);
    }
    throw corio::error(map_code(e.code()), where + ": " + context_of(e));
  }
}

// A page-sized read buffer, taken from the client's spares (or allocated) when first used and
// given back when the request is done with it: no allocation per response in a steady state.
// (Freeing and re-allocating them made glibc return the top of the heap to the kernel and fault it
// in again: on the VM of docs/results-crawl.md a page fault costs about 30 us.)
class client::read_buffer {
 public:
  explicit read_buffer(client& c) noexcept : c_(c) {}
  ~read_buffer() {
    if (p_) c_.recycle(std::move(p_), n_);
  }
  read_buffer(const read_buffer&) = delete;
  read_buffer& operator=(const read_buffer&) = delete;
  char* get() {
    if (!p_) {
      n_ = c_.read_size_;
      p_ = c_.take_spare(n_);
    }
    return p_.get();
  }
  std::size_t size() const noexcept { return n_; }

 private:
  client& c_;
  std::unique_ptr<char[]> p_;
  std::size_t n_ = 0;
};

std::unique_ptr<char[]> client::take_spare(std::size_t n) {
  if (n == spare_size_ && !spares_.empty()) {
    auto p = std::move(spares_.back());
    spares_.pop_back();
    return p;
  }
  return std::unique_ptr<char[]>(new char[n]);
}

void client::recycle(std::unique_ptr<char[]> p, std::size_t n) noexcept {
  if (n != spare_size_) {  // the page size changed: the old spares no longer fit
    spares_.clear();
    spare_size_ = n;
  }
  if (spares_.size() < kMaxSpares) {
    try {
      spares_.push_back(std::move(p));
    } catch (...) {  // out of memory: just free it
    }
  }
}

bool client::consume(response_parser& p, const char* data, std::size_t n, read_progress& rp) {
  if (n == 0) {
    p.finish();  // completes a read-until-close body, else throws truncated
    return true;
  }
  rp.received += n;
  rp.leftover = p.feed({data, n}) < n;
  return p.complete();
}

bool client::drain(net::tcp_stream& conn, response_parser& p, read_progress& rp) {
  // What has already arrived, without waiting (stream_socket::try_read_some). Safe on both
  // backends: this task is the stream's only reader and no read of it is pending, and corio's
  // Asio backend tries every read at once before it waits for readiness, so it never misses data
  // taken here.
  if (!scratch_) scratch_.reset(new char[kScratchBytes]);
  for (;;) {
    const std::optional<std::size_t> n = conn.try_read_some(scratch_.get(), kScratchBytes);
    if (!n) return false;  // the rest is still on its way
    if (consume(p, scratch_.get(), *n, rp)) return true;
  }
}

bool client::take_pooled(const std::string& origin, net::tcp_stream& into) {
  if (!options_.keep_alive) return false;
  auto c = pool_->take(origin);
  if (!c) return false;
  into = std::move(*c);
  return true;
}

void client::start_hop(method m, exchange_state& st) const {
  st.req.clear();
  request_options ro;
  ro.keep_alive = options_.keep_alive;
  ro.user_agent = options_.user_agent;
  append_request(st.req, m, st.current, ro);
  st.origin = st.current.origin();
}

bool client::finish_hop(response_parser& p, net::tcp_stream& conn, std::size_t received, bool leftover,
                        exchange_state& st) {
  response r = p.take();
  read_size_ = next_read_size(received);
  if (options_.keep_alive && r.keep_alive && !leftover) pool_->put(st.origin, std::move(conn));
  if (options_.follow_redirects) {
    if (auto next = redirect_target(r, st.current)) {
      if (st.redirects >= options_.max_redirects) {
        throw_error(errc::too_many_redirects,
                    "more than " + std::to_string(options_.max_redirects) + " redirects, the last to " + next->str());
      }
      ++st.redirects;
      st.current = std::move(*next);
      return true;
    }
  }
  r.final_url = st.current;
  r.redirects = st.redirects;
  st.answer = std::make_unique<response>(std::move(r));
  return false;
}

task<void> client::fetch(method m, deadline d, exchange_state& st) {
  std::optional<response_parser> parser;  // made when the first answer begins: a waiting request holds none
  for (;;) {  // one hop (request and response) per iteration; a redirect starts the next one
    start_hop(m, st);
    for (int attempt = 0;; ++attempt) {
      net::tcp_stream conn;
      const bool reused = attempt == 0 && take_pooled(st.origin, conn);
      if (!reused) {
        st.phase = "connecting";
        co_await connect_into(conn, st.current, earliest(d, deadline(options_.connect_timeout)));
        ++stats_.connections_opened;
      } else {
        ++stats_.connections_reused;
      }
      ++stats_.requests;
      if (parser) parser->reset(m);
      try {
        st.phase = "sending the request";
        co_await conn.write_all(st.req);
        st.phase = "waiting for the response";
        // While it waits, a request holds a buffer of a page's size only if the client's waiting
        // requests hold at most kWaitBudget in total; beyond that (thousands of connections at
        // once) it waits with kHeadBytes in its frame. Once an answer has begun, what has already
        // arrived is read at once, synchronously, into the client's scratch buffer (drain), so a
        // request needs no page-sized buffer of its own and no second trip through the loop.
        char head[kHeadBytes];
        read_buffer big(*this);
        char* buf = head;
        std::size_t size = sizeof head;
        if ((waiting_ + 1) * read_size_ <= kWaitBudget) {
          buf = big.get();
          size = big.size();
        }
        waiting_guard waiting(waiting_);
        read_progress rp;
        for (;;) {
          const std::size_t n = co_await conn.read_some(buf, size);
          if (!parser) {
            parser.emplace(options_.limits);
            parser->reset(m);
          }
          st.phase = "reading the response";
          if (consume(*parser, buf, n, rp) || drain(conn, *parser, rp)) break;
        }
        const std::size_t received = rp.received;
        const bool leftover = rp.leftover;
        if (!finish_hop(*parser, conn, received, leftover, st)) co_return;  // st.answer holds it
        break;  // redirected: the next hop
      } catch (const std::system_error& e) {
        if (!(reused && !(parser && parser->started()) && is_stale_connection_error(e.code()))) throw;
      }
      ++stats_.stale_retries;  // `conn` is closed; the next attempt opens a new connection
    }
  }
}

}  // namespace corio::http
