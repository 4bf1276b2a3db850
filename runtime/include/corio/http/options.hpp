// corio/http/options.hpp - the settings every corio HTTP client takes (blocking and async alike).
//
// What it does: one struct, so that the thread, process and coroutine execution models run the
// same fetch with the same limits. Deadlines: request_timeout bounds one fetch as a whole (name
// resolution excepted: getaddrinfo cannot be interrupted), i.e. every connect, write and read of
// it, every redirect and the one retry of a stale keep-alive connection; it is not an idle
// timeout, so a server trickling one byte at a time cannot stretch it. connect_timeout bounds
// each connection attempt as well.
// Threads, cancellation, buffers: not applicable (plain values).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include <corio/http/parser.hpp>

namespace corio::http {

struct client_options {
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds request_timeout{30'000};
  bool keep_alive = true;              // send Connection: keep-alive and pool idle connections
  std::size_t max_idle_per_host = 32;  // idle connections kept per host:port
  bool follow_redirects = true;        // follow 301/302/303/307/308 with a Location header
  int max_redirects = 10;              // more than this: errc::too_many_redirects
  parser_limits limits;                // max header / body bytes
  std::string user_agent = "corio-http/0.1";
};

}  // namespace corio::http
