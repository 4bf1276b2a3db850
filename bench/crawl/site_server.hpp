// bench/crawl/site_server.hpp - the slow site server: the synthetic site (site.hpp) over HTTP/1.1,
// on corio. corio-site is this library behind a command line; tests run it in-process.
//
// What it does: serve_site(listener, config, stats) accepts connections on `listener` and answers
// each request after a delay (config.delay, +/- a pseudo-random jitter of at most config.jitter,
// clamped at 0), simulating a remote server's latency:
//   GET/HEAD /page/<i>       200, the HTML of page i (text/html; Content-Length)
//   GET/HEAD /chunked/<i>    200, the same HTML with Transfer-Encoding: chunked (1000-byte chunks)
//   GET/HEAD /redirect/<i>   302 to /page/<i> (relative Location)
//   anything else            404; methods other than GET and HEAD: 405; a malformed request: 400
//                            and the connection is closed.
// Keep-alive per HTTP/1.1 rules (request_parser::keep_alive): a request with Connection: close
// (or HTTP/1.0 without keep-alive) is answered with Connection: close and the server closes the
// connection right after the response (so TIME_WAIT stays on the server side). Pipelined requests
// are answered in order. A connection idle for config.idle_timeout is closed.
// One task per connection, spawned into a task_group; `accept_tasks` accepts are kept in flight
// so that a burst of connections is taken in batches (io_uring: many accepts per io_uring_enter).
// When accept fails for lack of descriptors or memory, the server backs off 10 ms and goes on.
// Pages come from a site_content: generated up front when they fit in its cache (so that the
// first crawl after start-up sees the same server as the next ones), else per request.
//
// Which thread resumes you: the runtime's thread; the server runs on the runtime that awaits it.
// Cancellation: cancelling the task that awaits serve_site (e.g. with a task_group or
// corio::timeout) closes every connection and returns; nothing else ends it.
// Buffers: `listener`, `config`, `content` and `stats` must outlive the serve_site task.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <corio/net/tcp_listener.hpp>
#include <corio/task.hpp>

#include "crawl/site.hpp"

namespace corio_bench {

struct site_server_config {
  site_params site;
  std::chrono::milliseconds delay{0};   // L: every response waits this long
  std::chrono::milliseconds jitter{0};  // J: plus a uniform offset in [-J, +J] (clamped at 0)
  unsigned accept_tasks = 64;           // accepts in flight at once
  std::chrono::milliseconds idle_timeout{0};  // close a connection idle this long (0: never)
  std::size_t cache_bytes = std::size_t{512} << 20;  // pages generated up front, at most this much
};

// The site's pages: all generated at construction when they fit in cache_bytes (N x B, about),
// otherwise generated for each request. Immutable after construction.
class site_content {
 public:
  site_content(const site_params& p, std::size_t cache_bytes);
  const site& pages() const noexcept { return site_; }
  // The HTML of page i (i < pages): a cached string, or `scratch` filled for this request.
  const std::string& page(std::uint64_t i, std::string& scratch) const;
  bool cached() const noexcept { return !cache_.empty(); }

 private:
  site site_;
  std::vector<std::string> cache_;
};

struct site_server_stats {
  std::uint64_t connections = 0;       // accepted
  std::uint64_t live_connections = 0;  // open now
  std::uint64_t peak_connections = 0;  // most open at once
  std::uint64_t requests = 0;          // parsed requests
  std::uint64_t responses_200 = 0;
  std::uint64_t responses_other = 0;   // 302, 404, 405, 400
  std::uint64_t accept_errors = 0;     // accept failures (EMFILE, ...), each followed by a back-off
  std::uint64_t connection_errors = 0; // connections that ended with an error (reset, bad request...)
};

// `content` must be made from config.site.
corio::task<void> serve_site(corio::net::tcp_listener& listener, const site_server_config& config,
                             const site_content& content, site_server_stats& stats);

}  // namespace corio_bench
