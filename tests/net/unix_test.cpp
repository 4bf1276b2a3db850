// Unix-domain stream sockets: filesystem and abstract paths, socketpair, errors, cancellation.
#include <doctest/doctest.h>

#include <corio/corio.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "net_support.hpp"
#include "support/backends.hpp"

using namespace net_test;
using namespace std::chrono_literals;
using corio::net::unix_listener;
using corio::net::unix_stream;

namespace {
std::string temp_dir() {
  char tmpl[] = "/tmp/corio-unix-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  return tmpl;
}
std::string unique_abstract(const char* tag) {
  return std::string("@corio-test-") + tag + "-" + std::to_string(::getpid());
}
}  // namespace

TEST_SUITE("net unix") {
  TEST_CASE_TEMPLATE("round trip over a filesystem socket whose path is removed on close", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    const std::string dir = temp_dir();
    const std::string path = dir + "/s.sock";
    rt.block_on([](std::string path) -> task<void> {
      unix_listener l = unix_listener::bind(path);
      CHECK(l.path() == path);
      struct stat st {};
      CHECK(::stat(path.c_str(), &st) == 0);
      CHECK(S_ISSOCK(st.st_mode));
      // A second bind to the same path fails clearly.
      CHECK_THROWS_WITH_AS((void)unix_listener::bind(path), doctest::Contains("Address already in use"), corio::error);
      auto [c, s] = co_await corio::when_all(unix_stream::connect(path), l.accept());
      auto msg = payload(256 * 1024);
      auto echo = corio::spawn([](unix_stream s) -> task<void> {
        std::vector<std::byte> buf(4096);
        for (;;) {
          std::size_t n = co_await s.read_some(buf);
          if (n == 0) co_return;
          co_await s.write_all(std::span<const std::byte>(buf.data(), n));
        }
      }(std::move(s)));
      std::vector<std::byte> back(msg.size());
      co_await corio::when_all(c.write_all(msg), c.read_exact(back));
      CHECK(back == msg);
      CHECK(c.peer_path() == path);
      c.shutdown();
      co_await echo;
      l.close();
      CHECK(::stat(path.c_str(), &st) != 0);
    }(path));
    ::rmdir(dir.c_str());
  }

  TEST_CASE_TEMPLATE("abstract sockets, socketpair, and errors", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      const std::string name = unique_abstract("abs");
      unix_listener l = unix_listener::bind(name);
      auto [c, s] = co_await corio::when_all(unix_stream::connect(name), l.accept());
      co_await c.write_all(std::string_view("ping"));
      char b[4];
      co_await s.read_exact(b);
      CHECK(std::string_view(b, 4) == "ping");
      CHECK(c.peer_path() == name);

      auto [x, y] = unix_stream::pair();
      co_await x.write_all(std::string_view("pair"));
      co_await y.read_exact(b, 5s);
      CHECK(std::string_view(b, 4) == "pair");
      x.close();
      CHECK(co_await y.read_some(b) == 0);

      try {
        (void)co_await unix_stream::connect("/nonexistent-dir/none.sock");
        FAIL("connected to a missing socket");
      } catch (const corio::error& e) {
        CHECK(e.code() == std::errc::no_such_file_or_directory);
        CHECK(std::string(e.what()) == "connect /nonexistent-dir/none.sock: No such file or directory");
      }
      CHECK_THROWS_WITH_AS((void)co_await unix_stream::connect(unique_abstract("nobody")),
                           doctest::Contains("Connection refused"), corio::error);
      CHECK_THROWS_WITH_AS((void)co_await unix_stream::connect(std::string(200, 'x')), doctest::Contains("longer than"),
                           corio::error);
      CHECK_THROWS_AS((void)unix_listener::bind(""), corio::error);
    }());
  }

  TEST_CASE_TEMPLATE("unix accept and read: cancellation and deadlines", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      unix_listener l = unix_listener::bind(unique_abstract("cancel"));
      auto h = corio::spawn(l.accept());
      co_await corio::yield();
      h.cancel();
      CHECK_THROWS_WITH_AS((void)co_await h, doctest::Contains("operation aborted"), corio::error);
      auto [x, y] = unix_stream::pair();
      char b[1];
      CHECK_THROWS_WITH_AS((void)co_await x.read_some(b, 10ms), doctest::Contains("timed out"), corio::error);
      co_await y.write_all(std::string_view("!"));
      CHECK(co_await x.read_some(b) == 1);
      CHECK(b[0] == '!');
    }());
  }
}
