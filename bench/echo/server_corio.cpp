// The corio echo server (corio-uring / corio-asio): one task per connection, read_some then
// write_all, exactly what a corio user would write.
#include <corio/corio.hpp>

#include <chrono>
#include <vector>

#include "echo/echo.hpp"

namespace echo_bench {
namespace {

corio::task<void> session(corio::net::tcp_stream s, std::size_t buffer_bytes) {
  std::vector<std::byte> buf(buffer_bytes);
  try {
    s.set_nodelay(true);
    for (;;) {
      std::size_t n = co_await s.read_some(buf);
      if (n == 0) break;
      co_await s.write_all(buf.data(), n);
    }
  } catch (const std::system_error&) {
    // reset by the load generator at the end: nothing to do
  }
}

corio::task<void> serve(const server_config& cfg, const std::function<void(std::uint16_t)>& ready) {
  corio::net::listen_options o;
  o.backlog = cfg.backlog;
  auto l = corio::net::tcp_listener::bind(corio::net::endpoint::parse("127.0.0.1:0"), o);
  ready(l.local_endpoint().port());
  for (;;) {
    bool backoff = false;
    try {
      corio::spawn(session(co_await l.accept(), cfg.buffer_bytes)).detach();
    } catch (const std::system_error&) {
      backoff = true;  // EMFILE and friends: keep serving the connections we have
    }
    if (backoff) co_await corio::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

void run_corio_server(const server_config& cfg, const std::function<void(std::uint16_t)>& ready) {
  corio::runtime_options o;
  o.backend = cfg.impl == "corio-uring" ? corio::backend_kind::io_uring : corio::backend_kind::asio;
  corio::runtime rt(o);
  rt.block_on(serve(cfg, ready));
}

}  // namespace echo_bench
