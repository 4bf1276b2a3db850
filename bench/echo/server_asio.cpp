// The plain Asio echo server (asio-awaitable): asio::co_spawn + asio::awaitable with
// use_awaitable, one coroutine per connection, on one io_context thread. The idiomatic C++20 Asio
// server, as in Asio's own examples/cpp20/coroutines/echo_server.cpp.
#include <asio.hpp>

#include <vector>

#include "echo/echo.hpp"

namespace echo_bench {
namespace {

using asio::ip::tcp;

asio::awaitable<void> session(tcp::socket s, std::size_t buffer_bytes) {
  std::vector<char> buf(buffer_bytes);
  try {
    s.set_option(tcp::no_delay(true));
    for (;;) {
      std::size_t n = co_await s.async_read_some(asio::buffer(buf), asio::use_awaitable);
      co_await asio::async_write(s, asio::buffer(buf.data(), n), asio::use_awaitable);
    }
  } catch (const std::exception&) {
    // end of stream or reset
  }
}

asio::awaitable<void> listener(tcp::acceptor& acc, std::size_t buffer_bytes) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer backoff(ex);
  for (;;) {
    asio::error_code ec;
    tcp::socket s = co_await acc.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      backoff.expires_after(std::chrono::milliseconds(10));
      co_await backoff.async_wait(asio::use_awaitable);
      continue;
    }
    asio::co_spawn(ex, session(std::move(s), buffer_bytes), asio::detached);
  }
}

}  // namespace

void run_asio_server(const server_config& cfg, const std::function<void(std::uint16_t)>& ready) {
  asio::io_context ctx(1);
  tcp::acceptor acc(ctx);
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  acc.open(ep.protocol());
  acc.set_option(tcp::acceptor::reuse_address(true));
  acc.bind(ep);
  acc.listen(cfg.backlog);
  ready(acc.local_endpoint().port());
  asio::co_spawn(ctx, listener(acc, cfg.buffer_bytes), asio::detached);
  ctx.run();
}

}  // namespace echo_bench
