// bench/echo/echo.hpp - corio-bench echo: the pieces and how they fit.
//
// Design (documented in docs/results-echo.md too): the SERVER is the system under test, chosen by
// --impl; the CLIENT is one fixed load generator (a single-threaded epoll loop, below in
// load_client.cpp) used against every server, so differences come from the servers alone. They
// run in separate processes: the bench forks the server, then drives the load from the parent.
// Measured on the server side, over the measured window only: CPU (user+system of the whole
// server process), messages echoed; peak RSS of the server (VmHWM, which includes holding the C
// connections). On the client side: messages per second and per-message round-trip latency.
//
// Load: C connections, each with exactly one message of B bytes in flight (closed loop): send B
// bytes, wait until all B come back (verified byte for byte), record the round trip, send the next.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace echo_bench {

// Server implementations under test.
inline const std::vector<std::string>& server_impls() {
  static const std::vector<std::string> v{"corio-uring", "corio-asio", "asio-awaitable", "thread-per-connection"};
  return v;
}

struct server_config {
  std::string impl;
  std::size_t buffer_bytes = 4096;  // each connection's read buffer (the same for every impl)
  int backlog = 4096;
};

// Runs the server until the process is told to exit. Calls ready(port) once it listens on
// 127.0.0.1:port. Throws on setup failure. Implemented per impl in server_*.cpp.
void run_corio_server(const server_config& cfg, const std::function<void(std::uint16_t)>& ready);
void run_asio_server(const server_config& cfg, const std::function<void(std::uint16_t)>& ready);
void run_thread_server(const server_config& cfg, const std::function<void(std::uint16_t)>& ready);

struct client_config {
  std::uint16_t port = 0;
  int connections = 1;
  std::size_t message_bytes = 64;
  double warmup_s = 1.0;
  double seconds = 5.0;
  int max_pending_connects = 256;
  std::function<void()> on_measure_start;  // called when the measured window opens
  std::function<void()> on_measure_stop;   // ... and when it closes
};

struct client_result {
  std::uint64_t messages = 0;         // round trips completed in the measured window
  double window_s = 0;                // its exact length
  std::vector<std::uint32_t> rtt_ns;  // one per message (saturating at ~4.29 s)
  double connect_s = 0;               // time to open every connection and complete one echo each
  double cpu_s = 0;                   // client's own CPU in the window (for reference)
  std::uint64_t errors = 0;           // connections that failed or returned wrong bytes
};

// Opens the connections, warms up, measures. Throws if connections cannot be opened.
client_result run_load(const client_config& cfg);

}  // namespace echo_bench
