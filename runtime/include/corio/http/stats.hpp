// corio/http/stats.hpp - the counters a corio HTTP client keeps (client::stats()).
//
// What it does: how many requests a client sent and how many connections it opened, reused and
// found closed by the server while idle, so that a benchmark can tell keep-alive reuse from new
// connections. Threads, cancellation, buffers: not applicable (a plain value, a snapshot).
#pragma once

#include <cstdint>

namespace corio::http {

struct client_stats {
  std::uint64_t requests = 0;            // requests sent (redirect hops and retries included)
  std::uint64_t connections_opened = 0;  // TCP connections established
  std::uint64_t connections_reused = 0;  // requests sent on a pooled connection
  std::uint64_t stale_retries = 0;       // pooled connections found closed, request retried
};

}  // namespace corio::http
