// The slow site server (site_server.hpp).
#include "crawl/site_server.hpp"

#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <algorithm>

#include <corio/error.hpp>
#include <corio/http/error.hpp>
#include <corio/http/server.hpp>
#include <corio/spawn.hpp>
#include <corio/time.hpp>

namespace corio_bench {
namespace {

using corio::net::tcp_listener;
using corio::net::tcp_stream;
namespace http = corio::http;

struct server_ctx {
  const site_server_config& cfg;
  site_server_stats& stats;
  const site_content& content;
  const site& pages;
  std::uint64_t rng = 0x9E3779B97F4A7C15ull;

  server_ctx(const site_server_config& c, const site_content& sc, site_server_stats& s)
      : cfg(c), stats(s), content(sc), pages(sc.pages()) {}

  const std::string& page(std::uint64_t i, std::string& scratch) { return content.page(i, scratch); }

  std::chrono::nanoseconds delay() {
    using namespace std::chrono;
    if (cfg.jitter.count() <= 0) return cfg.delay;
    rng ^= rng << 13;  // xorshift64: deterministic for a given order of requests
    rng ^= rng >> 7;
    rng ^= rng << 17;
    const auto span = duration_cast<nanoseconds>(cfg.jitter).count();
    const auto offset = static_cast<std::int64_t>(rng % static_cast<std::uint64_t>(2 * span + 1)) - span;
    const auto d = duration_cast<nanoseconds>(cfg.delay).count() + offset;
    return nanoseconds(d > 0 ? d : 0);
  }
};

// The page a target names under `prefix` ("/chunked/17" -> 17), through site::page_of.
std::optional<std::uint64_t> page_under(const site& s, std::string_view target, std::string_view prefix) {
  if (target.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::string t = "/page/";
  t += target.substr(prefix.size());
  return s.page_of(t);
}

void append_chunked(std::string& out, std::string_view body, bool keep_alive, bool head_only) {
  out += "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\nConnection: ";
  out += keep_alive ? "keep-alive" : "close";
  out += "\r\n\r\n";
  if (head_only) return;
  for (std::size_t off = 0; off < body.size(); off += 1000) {
    std::string_view c = body.substr(off, 1000);
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", c.size());
    out += size;
    out += c;
    out += "\r\n";
  }
  out += "0\r\n\r\n";
}

// The response to `rq`, appended to `out`.
void respond(server_ctx& ctx, const http::request& rq, std::string& out, std::string& scratch) {
  http::response_options ro;
  ro.keep_alive = rq.keep_alive;
  ro.head_only = rq.method == "HEAD";
  if (rq.method != "GET" && rq.method != "HEAD") {
    ++ctx.stats.responses_other;
    ro.head_only = false;
    http::append_response(out, 405, "method not allowed\n", ro);
    return;
  }
  if (auto i = ctx.pages.page_of(rq.target)) {
    ++ctx.stats.responses_200;
    http::append_response(out, 200, ctx.page(*i, scratch), ro);
    return;
  }
  if (auto i = page_under(ctx.pages, rq.target, "/chunked/")) {
    ++ctx.stats.responses_200;
    append_chunked(out, ctx.page(*i, scratch), rq.keep_alive, ro.head_only);
    return;
  }
  ++ctx.stats.responses_other;
  if (auto i = page_under(ctx.pages, rq.target, "/redirect/")) {
    const std::string location = site::path_of(*i);
    const http::header h{"Location", location};
    ro.extra_headers = std::span<const http::header>(&h, 1);
    http::append_response(out, 302, "", ro);
    return;
  }
  http::append_response(out, 404, "no such page\n", ro);
}

corio::task<void> session(server_ctx& ctx, tcp_stream s) {
  site_server_stats& st = ctx.stats;
  if (++st.live_connections > st.peak_connections) st.peak_connections = st.live_connections;
  http::parser_limits limits;
  limits.max_header_bytes = 16 * 1024;
  limits.max_body_bytes = 64 * 1024;
  http::request_parser parser(limits);
  std::string out, pending, scratch;
  char buf[1024];
  bool bad_request = false, failed = false;
  try {
    for (;;) {
      parser.reset();
      if (!pending.empty()) pending.erase(0, parser.feed(pending));  // a pipelined request
      bool peer_closed = false;
      while (!parser.complete()) {
        corio::deadline idle;
        if (ctx.cfg.idle_timeout.count() > 0) idle = corio::deadline(ctx.cfg.idle_timeout);
        const std::size_t n = co_await s.read_some(buf, sizeof buf, idle);
        if (n == 0) {
          parser.finish();  // between requests: the normal end; inside one: throws truncated
          peer_closed = true;
          break;
        }
        const std::size_t used = parser.feed({buf, n});
        if (used < n) pending.append(buf + used, n - used);
      }
      if (peer_closed) break;
      const http::request rq = parser.take();
      ++st.requests;
      const auto d = ctx.delay();
      if (d.count() > 0) co_await corio::sleep_for(d);
      out.clear();
      respond(ctx, rq, out, scratch);
      co_await s.write_all(out);
      if (!rq.keep_alive) break;  // Connection: close - we close first
    }
  } catch (const std::system_error& e) {
    failed = e.code() != corio::errc::operation_aborted;
    bad_request = e.code() == http::errc::malformed_request || e.code() == http::errc::header_too_large ||
                  e.code() == http::errc::body_too_large;
  } catch (...) {
    failed = true;  // out of memory: drop this connection, keep serving the others
  }
  if (bad_request) {
    ++st.responses_other;
    out.clear();
    http::response_options ro;
    ro.keep_alive = false;
    try {
      http::append_response(out, 400, "bad request\n", ro);
      co_await s.write_all(out, corio::deadline(std::chrono::seconds(1)));
    } catch (...) {
    }
  }
  if (failed) ++st.connection_errors;
  --st.live_connections;
}

corio::task<void> acceptor(server_ctx& ctx, tcp_listener& l, corio::task_group& g) {
  for (;;) {
    bool backoff = false;
    try {
      tcp_stream s = co_await l.accept();
      ++ctx.stats.connections;
      g.spawn(session(ctx, std::move(s)));
    } catch (const std::system_error& e) {
      if (e.code() == corio::errc::operation_aborted) throw;  // the server is cancelled
      ++ctx.stats.accept_errors;  // EMFILE, ENOMEM...: serve what we have, then try again
      backoff = true;
    }
    if (backoff) co_await corio::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

site_content::site_content(const site_params& p, std::size_t cache_bytes) : site_(p) {
  // About N x B bytes (a page is B bytes unless its links need more): generate them all if that fits.
  const std::size_t per_page = std::max<std::size_t>(p.page_bytes, 512);
  if (p.pages <= cache_bytes / per_page) {
    cache_.reserve(p.pages);
    for (std::uint64_t i = 0; i < p.pages; ++i) cache_.push_back(site_.page(i));
  }
}

const std::string& site_content::page(std::uint64_t i, std::string& scratch) const {
  if (i < cache_.size()) return cache_[i];
  scratch = site_.page(i);
  return scratch;
}

corio::task<void> serve_site(tcp_listener& listener, const site_server_config& config, const site_content& content,
                             site_server_stats& stats) {
  server_ctx ctx(config, content, stats);
  corio::task_group g;
  const unsigned n = config.accept_tasks ? config.accept_tasks : 1;
  for (unsigned k = 0; k < n; ++k) g.spawn(acceptor(ctx, listener, g));
  co_await g.join();  // returns only by cancellation (acceptors never finish on their own)
}

}  // namespace corio_bench
