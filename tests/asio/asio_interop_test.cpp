// corio/asio.hpp: corio tasks awaiting Asio operations, on the runtime's own io_context and on a
// foreign one running in another thread; cancellation; errors; the io_uring case.
#include <doctest/doctest.h>

#include <corio/asio.hpp>
#include <corio/corio.hpp>

#include <chrono>
#include <thread>

#include "support/backends.hpp"

using namespace std::chrono_literals;

TEST_SUITE("asio interop") {
  TEST_CASE("a corio task awaits Asio timers and sockets on the runtime's io_context") {
    CORIO_RUNTIME(rt, corio_test::asio);
    asio::io_context& ctx = corio::asio_context(rt);
    auto main = [&]() -> corio::task<void> {
      asio::steady_timer t(ctx, 5ms);
      auto start = std::chrono::steady_clock::now();
      co_await t.async_wait(corio::use_task);
      CHECK(std::chrono::steady_clock::now() - start >= 5ms);

      // An Asio acceptor and socket pair, driven from corio tasks.
      asio::ip::tcp::acceptor acc(ctx, {asio::ip::make_address("127.0.0.1"), 0});
      asio::ip::tcp::socket client(ctx);
      auto accepted = corio::spawn([](asio::ip::tcp::acceptor& a) -> corio::task<asio::ip::tcp::socket> {
        co_return co_await a.async_accept(corio::use_task);
      }(acc));
      co_await client.async_connect(acc.local_endpoint(), corio::use_task);
      asio::ip::tcp::socket server = co_await accepted;
      char out[5] = {'h', 'e', 'l', 'l', 'o'}, in[5] = {};
      std::size_t n = co_await asio::async_write(client, asio::buffer(out), corio::use_task);
      CHECK(n == 5);
      n = co_await asio::async_read(server, asio::buffer(in), corio::use_task);
      CHECK(n == 5);
      CHECK(std::string(in, 5) == "hello");
      // An Asio error becomes a corio::error with the same code.
      client.close();
      try {
        co_await asio::async_read(server, asio::buffer(in), corio::use_task);
        FAIL("reading from a closed peer should fail");
      } catch (const corio::error& e) {
        CHECK(e.code() == asio::error::eof);
      }
    };
    rt.block_on(main());
  }

  TEST_CASE("cancelling the corio task cancels the Asio operation") {
    CORIO_RUNTIME(rt, corio_test::asio);
    asio::io_context& ctx = corio::asio_context(rt);
    auto main = [&]() -> corio::task<void> {
      asio::steady_timer t(ctx, 1h);
      auto h = corio::spawn([](asio::steady_timer& tm) -> corio::task<void> { co_await tm.async_wait(corio::use_task); }(t));
      co_await corio::yield();
      h.cancel();
      try {
        co_await h;
        FAIL("expected operation_aborted");
      } catch (const corio::error& e) {
        CHECK(e.code() == corio::errc::operation_aborted);
      }
      // The Asio wait itself was cancelled and has completed (the task resumes only then): none is
      // left pending on the timer for cancel() to abort. A task that merely stopped waiting for
      // it would leave one.
      CHECK(t.cancel() == 0);
      // timeout() composes with Asio operations too, and also cancels the Asio wait.
      asio::steady_timer t2(ctx, 1h);
      try {
        co_await corio::timeout(2ms, t2.async_wait(corio::use_task));
        FAIL("expected timed_out");
      } catch (const corio::error& e) {
        CHECK(e.code() == corio::errc::timed_out);
      }
      CHECK(t2.cancel() == 0);
    };
    rt.block_on(main());
  }

  TEST_CASE_TEMPLATE("an operation on a foreign io_context running in another thread completes in the task", B,
                     CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    asio::io_context foreign;
    auto guard = asio::make_work_guard(foreign);
    std::thread th([&] { foreign.run(); });
    auto main = [&]() -> corio::task<void> {
      auto loop_thread = std::this_thread::get_id();
      asio::steady_timer t(foreign, 5ms);
      co_await t.async_wait(corio::use_task);
      CHECK(std::this_thread::get_id() == loop_thread);
    };
    rt.block_on(main());
    guard.reset();
    foreign.stop();
    th.join();
  }

  TEST_CASE("asio_context is refused on the io_uring backend") {
    CORIO_RUNTIME(rt, corio_test::uring);
    try {
      (void)corio::asio_context(rt);
      FAIL("expected backend_unavailable");
    } catch (const corio::error& e) {
      CHECK(e.code() == corio::errc::backend_unavailable);
    }
  }
}
