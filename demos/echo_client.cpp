// echo_client: opens many connections at once from one thread and checks every echo.
//
// Shows: thousands of concurrent tcp_stream::connect calls as plain tasks (corio::when_all over a
// vector), a semaphore to bound how many handshakes are in flight, connect(host, port) with name
// resolution off the loop thread, a deadline on every operation, and per-error-kind counting
// (refused, timed out, reset, end of stream, out of descriptors) instead of crashing. Raise the
// open-files limit first for large counts (the client raises its soft limit to the hard one).
//
//   corio-echo-client --port P [--host H] [--connections N] [--messages M] [--bytes B]
//                     [--backend automatic|io_uring|asio]
#include <corio/corio.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;

struct tally {
  long ok = 0;
  std::map<std::string, long> errors;  // by message, e.g. "Connection refused"
};

std::string kind_of(const corio::error& e) { return e.code().message(); }

corio::task<void> one_client(std::string host, std::uint16_t port, int id, int messages, std::size_t bytes,
                             corio::semaphore& connecting, tally& t) {
  try {
    corio::net::tcp_stream s;
    {
      auto permit = co_await connecting.permit();  // at most N handshakes at a time
      s = co_await corio::net::tcp_stream::connect(host, port, 10s);
    }
    s.set_nodelay(true);
    std::vector<char> out(bytes), in(bytes);
    for (int m = 0; m < messages; ++m) {
      for (std::size_t i = 0; i < bytes; ++i) out[i] = static_cast<char>('a' + (id + m + static_cast<int>(i)) % 26);
      co_await s.write_all(out.data(), out.size(), 10s);
      co_await s.read_exact(in.data(), in.size(), 10s);
      if (in != out) throw corio::error(std::make_error_code(std::errc::bad_message), "echo mismatch");
    }
    ++t.ok;
  } catch (const corio::error& e) {
    ++t.errors[kind_of(e)];
  }
}

corio::task<void> run(std::string host, std::uint16_t port, int n, int messages, std::size_t bytes) {
  corio::semaphore connecting(256);
  tally t;
  std::vector<corio::task<void>> clients;
  clients.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) clients.push_back(one_client(host, port, i, messages, bytes, connecting, t));
  auto t0 = std::chrono::steady_clock::now();
  co_await corio::when_all(std::move(clients));
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%ld of %d connections echoed %d x %zu bytes correctly in %.3f s\n", t.ok, n, messages, bytes, s);
  for (auto& [what, count] : t.errors) std::printf("  %ld failed: %s\n", count, what.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  long port = -1, n = 1000, messages = 10, bytes = 64;
  corio::runtime_options opts;
  bool bad = argc % 2 == 0;
  for (int i = 1; i + 1 < argc && !bad; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--port") port = std::atol(v.c_str());
    else if (k == "--host") host = v;
    else if (k == "--connections") n = std::atol(v.c_str());
    else if (k == "--messages") messages = std::atol(v.c_str());
    else if (k == "--bytes") bytes = std::atol(v.c_str());
    else if (k == "--backend" && v == "io_uring") opts.backend = corio::backend_kind::io_uring;
    else if (k == "--backend" && v == "asio") opts.backend = corio::backend_kind::asio;
    else if (k == "--backend" && v == "automatic") opts.backend = corio::backend_kind::automatic;
    else bad = true;
  }
  if (bad || port < 1 || port > 65535 || n < 1 || messages < 0 || bytes < 1 || bytes > (64 << 20)) {
    std::fprintf(stderr,
                 "usage: %s --port P [--host H] [--connections N] [--messages M] [--bytes B] "
                 "[--backend automatic|io_uring|asio]\n",
                 argv[0]);
    return 2;
  }
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
  try {
    corio::runtime rt(opts);
    std::printf("backend: %s (%s)\n", corio::to_string(rt.backend()), rt.backend_reason().c_str());
    rt.block_on(run(host, static_cast<std::uint16_t>(port), static_cast<int>(n), static_cast<int>(messages),
                    static_cast<std::size_t>(bytes)));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "echo client: %s\n", e.what());
    return 1;
  }
  return 0;
}
