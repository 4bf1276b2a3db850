// corio-echo-server stops gracefully on SIGTERM: it stops accepting, lets the open connection
// finish, prints its counters and exits with 128 + SIGTERM. Run as a real child process.
#include <doctest/doctest.h>

#include <corio/corio.hpp>

#include <signal.h>

#include <chrono>
#include <string>

using namespace std::chrono_literals;
using corio::task;

namespace {
// Reads from `s` into `acc` until `needle` has arrived after position `from`, or the end.
task<void> read_until(corio::net::unix_stream& s, std::string& acc, const std::string& needle, std::size_t from = 0) {
  char buf[512];
  while (acc.find(needle, from) == std::string::npos) {
    std::size_t n = co_await s.read_some(buf, sizeof buf, 20s);
    if (n == 0) co_return;
    acc.append(buf, n);
  }
}
}  // namespace

TEST_CASE("corio-echo-server: SIGTERM stops it gracefully with exit status 143") {
  corio::runtime rt;
  rt.block_on([]() -> task<void> {
    corio::process_options o;
    o.argv = {CORIO_ECHO_SERVER_BIN, "--port", "0", "--drain-seconds", "10"};
    o.stdout_pipe = true;
    corio::child server = corio::child::spawn(o);
    std::string out;
    const std::string tag = "listening on ";
    co_await read_until(server.std_out(), out, tag);
    co_await read_until(server.std_out(), out, "\n", out.find(tag));
    const std::size_t at = out.find(tag);
    REQUIRE(at != std::string::npos);
    const std::string ep = out.substr(at + tag.size(), out.find('\n', at) - at - tag.size());
    auto c = co_await corio::net::tcp_stream::connect(corio::net::endpoint::parse(ep), 10s);
    co_await c.write_all(std::string_view("hi"));
    char back[2];
    co_await c.read_exact(back, 2, 10s);
    CHECK(std::string(back, 2) == "hi");
    server.kill(SIGTERM);  // the connection is still open: the server drains it
    c.close();             // ... and it finishes at once
    co_await read_until(server.std_out(), out, "served ");
    co_await read_until(server.std_out(), out, "\n", out.find("served "));
    corio::exit_status st = co_await server.wait(20s);
    CHECK(st.exited());
    CHECK(st.code() == 128 + SIGTERM);
    CHECK(out.find("served 1 connections") != std::string::npos);
  }());
}
