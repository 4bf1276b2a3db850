// IO objects that outlive their runtime: the runtime's destructor closes them while its backend
// still exists; using them afterwards is an error (EBADF), never a call into a dead backend.
#include <doctest/doctest.h>

#include <corio/corio.hpp>

#include <optional>

#include "support/backends.hpp"

TEST_SUITE("net lifetime") {
  TEST_CASE_TEMPLATE("a listener and streams that outlive their runtime are closed by it", B, CORIO_BACKENDS) {
    std::optional<corio::net::tcp_listener> listener;
    std::optional<corio::net::tcp_stream> client, server;
    {
      CORIO_RUNTIME(rt, B);
      rt.block_on([](auto& l, auto& c, auto& s) -> corio::task<void> {
        l.emplace(corio::net::tcp_listener::bind("127.0.0.1:0"));
        auto accepted = corio::spawn(l->accept());
        c.emplace(co_await corio::net::tcp_stream::connect(l->local_endpoint()));
        s.emplace(co_await accepted);
        // A pending read on the server side, left suspended when block_on returns.
        corio::spawn([](corio::net::tcp_stream& st) -> corio::task<void> {
          char b[16];
          co_await st.read_some(b, sizeof b);
        }(*s)).detach();
      }(listener, client, server));
      CHECK(listener->is_open());
      CHECK(client->is_open());
    }
    CHECK_FALSE(listener->is_open());
    CHECK_FALSE(client->is_open());
    CHECK_FALSE(server->is_open());
    // Destroying them now, after the runtime, must not touch the destroyed backend (ASan).
    listener.reset();
    client.reset();
    server.reset();
  }
}
