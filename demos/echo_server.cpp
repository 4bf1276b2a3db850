// echo_server: a TCP echo server on corio, and what a production accept loop has to handle.
//
// Shows: tcp_listener::bind with port 0 (or --port), one task per connection (read_some then
// write_all), an idle deadline per read (a silent client is dropped after --idle-seconds), typed
// errors (reset clients are counted, not fatal), and running out of file descriptors: accept
// fails with EMFILE, the loop backs off briefly and keeps serving the connections it has.
// The backend is chosen at run time (io_uring if the kernel allows it, else Asio; --backend or
// CORIO_BACKEND=asio forces one) and the reason is printed. Needs Linux 5.6+ for io_uring, any
// Linux for Asio.
//
//   corio-echo-server [--port P] [--backend automatic|io_uring|asio] [--idle-seconds S]
//                     [--max-connections N]
// Try it with corio-echo-client, or `nc 127.0.0.1 <port>`. Stops after --max-connections
// connections have come and gone (default: never), or gracefully on SIGINT / SIGTERM
// (corio::signal_set): it stops accepting, gives open connections --drain-seconds (default 5) to
// finish, cancels the rest, prints its counters and exits with 128 + the signal (130, 143); 0 when
// --max-connections was reached, 1 on an error, 2 on bad arguments.
#include <corio/corio.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct stats {
  long accepted = 0, finished = 0, reset = 0, idle = 0, accept_errors = 0;
};

corio::task<void> session(corio::net::tcp_stream s, std::chrono::seconds idle, stats& st) {
  std::vector<std::byte> buf(16 * 1024);
  try {
    s.set_nodelay(true);
    for (;;) {
      std::size_t n = co_await s.read_some(buf, idle);  // deadline: drop silent clients
      if (n == 0) break;                                // the client closed its side
      co_await s.write_all(buf.data(), n);
    }
  } catch (const corio::error& e) {
    if (e.code() == corio::errc::timed_out) {
      ++st.idle;
    } else {
      ++st.reset;  // reset, broken pipe...: the client is gone; nothing to clean up but the socket
    }
  }
  ++st.finished;
}

corio::task<void> serve(std::uint16_t port, std::chrono::seconds idle, long max_connections, std::chrono::seconds drain) {
  auto listener = corio::net::tcp_listener::bind(corio::net::endpoint(corio::net::ip_address::loopback(), port));
  std::printf("listening on %s\n", listener.local_endpoint().to_string().c_str());
  std::fflush(stdout);
  stats st;
  corio::task_group sessions;  // sessions cannot outlive the server's frame
  while (max_connections < 0 || st.accepted < max_connections) {
    bool backoff = false;
    try {
      corio::net::tcp_stream s = co_await listener.accept();
      ++st.accepted;
      sessions.spawn(session(std::move(s), idle, st));
    } catch (const corio::error& e) {
      if (e.code() == corio::errc::operation_aborted) break;  // stopping (a signal): accept no more
      // EMFILE/ENFILE (out of descriptors), ENOBUFS/ENOMEM: this accept failed, the listener and
      // every open connection are fine. The pending connection stays in the kernel's backlog.
      ++st.accept_errors;
      std::fprintf(stderr, "%s (backing off 50 ms; %ld connections open)\n", e.what(), st.accepted - st.finished);
      backoff = true;
    }
    if (backoff) co_await corio::sleep_for(std::chrono::milliseconds(50));
  }
  listener.close();
  // Open connections get `drain` to finish, shielded from the stop that cancelled this task; the
  // group's destructor cancels whatever is still running after that.
  try {
    co_await corio::shield(corio::timeout(drain, sessions.join()));
  } catch (const corio::error& e) {
    std::fprintf(stderr, "stopping: %s; %ld connections cancelled\n", e.what(), st.accepted - st.finished);
  }
  std::printf("served %ld connections: %ld reset, %ld idle timeouts, %ld accept errors\n", st.accepted, st.reset, st.idle,
              st.accept_errors);
}

// Serves until --max-connections (0) or a stop signal (128 + signal).
corio::task<int> run(std::uint16_t port, std::chrono::seconds idle, long max_connections, std::chrono::seconds drain,
                     corio::signal_set& stop) {
  auto server = corio::spawn(serve(port, idle, max_connections, drain));
  auto first = co_await corio::when_any(stop.wait(), server);
  if (first.index == 1) co_return 0;  // served --max-connections
  const int sig = std::get<0>(first.value);
  std::fprintf(stderr, "signal %d: stopping\n", sig);
  server.cancel();
  co_await server;
  co_return 128 + sig;
}

}  // namespace

int main(int argc, char** argv) {
  long port = 0, idle = 60, max_connections = -1, drain = 5;
  corio::runtime_options opts;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--port") port = std::atol(v.c_str());
    else if (k == "--idle-seconds") idle = std::atol(v.c_str());
    else if (k == "--max-connections") max_connections = std::atol(v.c_str());
    else if (k == "--drain-seconds") drain = std::atol(v.c_str());
    else if (k == "--backend" && v == "io_uring") opts.backend = corio::backend_kind::io_uring;
    else if (k == "--backend" && v == "asio") opts.backend = corio::backend_kind::asio;
    else if (k == "--backend" && v == "automatic") opts.backend = corio::backend_kind::automatic;
    else {
      std::fprintf(stderr, "usage: %s [--port P] [--backend automatic|io_uring|asio] [--idle-seconds S] [--max-connections N] [--drain-seconds S]\n",
                   argv[0]);
      return 2;
    }
  }
  if (argc % 2 == 0 || port < 0 || port > 65535 || idle <= 0 || drain < 0) {
    std::fprintf(stderr, "usage: %s [--port P] [--backend automatic|io_uring|asio] [--idle-seconds S] [--max-connections N] [--drain-seconds S]\n",
                 argv[0]);
    return 2;
  }
  try {
    corio::signal_set stop{SIGINT, SIGTERM};  // before any thread starts
    corio::runtime rt(opts);
    std::printf("backend: %s (%s)\n", corio::to_string(rt.backend()), rt.backend_reason().c_str());
    return rt.block_on(run(static_cast<std::uint16_t>(port), std::chrono::seconds(idle), max_connections,
                           std::chrono::seconds(drain), stop));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "echo server: %s\n", e.what());
    return 1;
  }
}
