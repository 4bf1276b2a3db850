// Files: open errors, write then read back, reads at and past the end, fsync and size, whole-file
// helpers, deadlines and cancellation.
#include <doctest/doctest.h>

#include <corio/corio.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <cstdlib>
#include <string>
#include <vector>

#include "support/backends.hpp"

using corio::task;
using corio::fs::file;
using namespace std::chrono_literals;

namespace {

struct temp_dir {
  std::string path;
  temp_dir() {
    char tmpl[] = "/tmp/corio-fs-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~temp_dir() {
    std::string cmd = "rm -rf '" + path + "'";
    int rc = std::system(cmd.c_str());
    (void)rc;
  }
};

std::vector<std::byte> pattern(std::size_t n, unsigned seed) {
  std::vector<std::byte> v(n);
  unsigned x = seed * 2654435761u + 1;
  for (auto& b : v) {
    x = x * 1103515245u + 12345u;
    b = static_cast<std::byte>(x >> 16);
  }
  return v;
}

}  // namespace

TEST_SUITE("fs file") {
  TEST_CASE_TEMPLATE("file not found and other open errors are typed and name the path", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    temp_dir d;
    rt.block_on([](std::string dir) -> task<void> {
      try {
        (void)co_await file::open(dir + "/missing.txt");
        FAIL("opened a missing file");
      } catch (const corio::error& e) {
        CHECK(e.code() == std::errc::no_such_file_or_directory);
        CHECK(std::string(e.what()) == "open " + dir + "/missing.txt: No such file or directory");
      }
      CHECK_THROWS_WITH_AS((void)co_await corio::fs::read_file(dir + "/missing.txt"),
                           doctest::Contains("No such file or directory"), corio::error);
      // O_EXCL on an existing file, and a directory opened for writing.
      co_await corio::fs::write_file(dir + "/x", "x");
      CHECK_THROWS_WITH_AS((void)co_await file::open(dir + "/x", O_WRONLY | O_CREAT | O_EXCL),
                           doctest::Contains("File exists"), corio::error);
      CHECK_THROWS_WITH_AS((void)co_await file::open(dir, O_WRONLY), doctest::Contains("Is a directory"), corio::error);
    }(d.path));
  }

  TEST_CASE_TEMPLATE("write then read back at offsets, size, fsync and reads past the end", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    temp_dir d;
    rt.block_on([](std::string dir) -> task<void> {
      const std::string path = dir + "/data.bin";
      auto data = pattern(1 << 20, 3);
      {
        file f = co_await file::open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
        CHECK(f.size() == 0);
        co_await f.write_all_at(std::span<const std::byte>(data).subspan(4096), 4096);
        co_await f.write_all_at(std::span<const std::byte>(data).first(4096), 0);
        co_await f.fsync();
        co_await f.fsync(true);
        CHECK(f.size() == data.size());
        std::vector<std::byte> back(data.size());
        co_await f.read_exact_at(back, 0);
        CHECK(back == data);
        // A read that starts inside the file and runs past its end is short; one at or past the
        // end returns 0.
        std::vector<std::byte> tail(100);
        CHECK(co_await f.read_at(tail, data.size() - 10) == 10);
        CHECK(std::equal(tail.begin(), tail.begin() + 10, data.end() - 10));
        CHECK(co_await f.read_at(tail, data.size()) == 0);
        CHECK(co_await f.read_at(tail, data.size() + 12345) == 0);
        try {
          co_await f.read_exact_at(tail, data.size() - 10);
          FAIL("read 100 bytes from the last 10");
        } catch (const corio::incomplete_read& e) {
          CHECK(e.bytes_read() == 10);
          CHECK(e.code() == corio::errc::eof);
          CHECK(std::string(e.what()) == "read_exact_at " + path + " at " + std::to_string(data.size() - 10) +
                                             ": got 10 of 100 bytes: end of stream");
        }
      }
      struct stat st {};
      CHECK(::stat(path.c_str(), &st) == 0);
      CHECK(static_cast<std::size_t>(st.st_size) == data.size());
      CHECK((st.st_mode & 0777) == 0600);
      // Whole-file helpers.
      std::string s = co_await corio::fs::read_file(path);
      CHECK(s.size() == data.size());
      CHECK(std::memcmp(s.data(), data.data(), data.size()) == 0);
      co_await corio::fs::write_file(path, "short", true);
      CHECK(co_await corio::fs::read_file(path) == "short");
    }(d.path));
  }

  TEST_CASE_TEMPLATE("read_file reads files whose size fstat does not know, and refuses huge ones", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    temp_dir d;
    rt.block_on([](std::string dir) -> task<void> {
      std::string status = co_await corio::fs::read_file("/proc/self/status");  // st_size is 0
      CHECK(status.find("Name:") == 0);
      CHECK(status.find("VmRSS") != std::string::npos);
      co_await corio::fs::write_file(dir + "/big", std::string(5000, 'z'));
      CHECK_THROWS_WITH_AS((void)co_await corio::fs::read_file(dir + "/big", {}, 4096), doctest::Contains("File too large"),
                           corio::error);
      std::string big = co_await corio::fs::read_file(dir + "/big");
      CHECK(big.size() == 5000);
      co_await corio::fs::write_file(dir + "/empty", "");
      std::string empty = co_await corio::fs::read_file(dir + "/empty");
      CHECK(empty.empty());
    }(d.path));
  }

  TEST_CASE_TEMPLATE("file operations: closed files, cancelled tasks and deadlines", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    temp_dir d;
    rt.block_on([](std::string dir) -> task<void> {
      file f = co_await file::open(dir + "/f", O_RDWR | O_CREAT, 0644);
      co_await f.write_all_at(std::string_view("hello"), 0);
      // A task cancelled before its read: aborted, nothing read.
      char b[5] = {};
      auto h = corio::spawn(f.read_at(b, 5, 0));
      h.cancel();
      CHECK_THROWS_WITH_AS((void)co_await h, doctest::Contains("operation aborted"), corio::error);
      CHECK(std::string_view(b, 5) == std::string_view("\0\0\0\0\0", 5));
      // A generous deadline does not get in the way.
      CHECK(co_await f.read_at(b, 5, 0, 10s) == 5);
      CHECK(std::string_view(b, 5) == "hello");
      // A deadline already past.
      CHECK_THROWS_WITH_AS((void)co_await f.read_at(b, 5, 0, corio::now() - 1s), doctest::Contains("timed out"),
                           corio::error);
      f.close();
      CHECK_FALSE(f.is_open());
      CHECK_THROWS_WITH_AS((void)co_await f.read_at(b, 5, 0), doctest::Contains("Bad file descriptor"), corio::error);
      CHECK_THROWS_AS((void)f.size(), corio::error);
    }(d.path));
  }

  // open(2) of a FIFO blocks until the other end is opened too. Both opens are submitted before
  // either can finish, so this completes only if opening never blocks the loop thread: on io_uring
  // the kernel's workers run openat; on Asio the backend's file thread pool does. (Before file ops
  // left Asio's submit, the first open blocked the loop and the second was never submitted.)
  TEST_CASE_TEMPLATE("file ops never block the loop: opening both ends of a FIFO", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    temp_dir d;
    const std::string fifo = d.path + "/fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    rt.block_on([](std::string p) -> task<void> {
      auto [r, w] = co_await corio::when_all(file::open(p, O_RDONLY), file::open(p, O_WRONLY));
      CHECK(r.is_open());
      CHECK(w.is_open());
    }(fifo));
  }

  TEST_CASE_TEMPLATE("read_at, write_at and fsync are leaf operations that work inside timeout", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    temp_dir d;
    rt.block_on([](std::string dir) -> task<void> {
      file f = co_await file::open(dir + "/leaf", O_RDWR | O_CREAT, 0600);
      CHECK(co_await corio::timeout(10s, f.write_at(std::string_view("abcdef").data(), 6, 0)) == 6);
      co_await corio::timeout(10s, f.fsync(true));
      char buf[6] = {};
      auto [n] = co_await corio::when_all(f.read_at(buf, sizeof buf, 0));
      CHECK(n == 6);
      CHECK(std::string(buf, 6) == "abcdef");
    }(d.path));
  }
}
