// Drives the echo server of docs/getting-started.md, built from the page against the installed
// package (check_consumer.cmake): it must print its port, echo, keep serving an open connection
// after SIGTERM while refusing new ones, and exit 0 with "stopped" once that connection closes.
//
//   drive_getting_started <server executable>     exit 0 when every step behaved as documented
#include <corio/corio.hpp>

#include <csignal>
#include <cstdio>
#include <stdexcept>
#include <string>

using namespace std::chrono_literals;

namespace {

void expect(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what);
}

// Reads the server's stdout until a line starting with `prefix` arrives; returns that line.
corio::task<std::string> line_starting(corio::net::unix_stream& out, std::string& pending, std::string prefix) {
  for (;;) {
    for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
      std::string line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      std::printf("server: %s\n", line.c_str());
      if (line.rfind(prefix, 0) == 0) co_return line;
    }
    char buf[512];
    std::size_t n = co_await out.read_some(buf, sizeof buf, 30s);
    expect(n > 0, "the server's stdout ended before a line starting with '" + prefix + "'");
    pending.append(buf, n);
  }
}

corio::task<std::string> echo(corio::net::tcp_stream& s, std::string msg) {
  co_await s.write_all(msg.data(), msg.size(), 10s);
  std::string back(msg.size(), '\0');
  co_await s.read_exact(back.data(), back.size(), 10s);
  co_return back;
}

corio::task<int> drive(std::string server) {
  corio::process_options o;
  o.argv = {server};
  o.stdout_pipe = true;
  corio::child c = corio::child::spawn(o);
  std::string pending;
  std::string listening = co_await line_starting(c.std_out(), pending, "listening on 127.0.0.1:");
  const auto port = static_cast<std::uint16_t>(std::stoi(listening.substr(listening.rfind(':') + 1)));
  const corio::net::endpoint ep(corio::net::ip_address::loopback(), port);

  auto a = co_await corio::net::tcp_stream::connect(ep, 10s);
  auto b = co_await corio::net::tcp_stream::connect(ep, 10s);
  std::string got_a = co_await echo(a, "hello\n");
  std::string got_b = co_await echo(b, "world\n");
  expect(got_a == "hello\n" && got_b == "world\n", "no echo: '" + got_a + "', '" + got_b + "'");
  b.close();

  c.kill(SIGTERM);
  co_await line_starting(c.std_out(), pending, "stopping: no new connections");
  bool refused = false;
  try {
    auto late = co_await corio::net::tcp_stream::connect(ep, 10s);
  } catch (const corio::error& e) {
    refused = e.code() == std::errc::connection_refused;
    std::printf("new connection after SIGTERM: %s\n", e.what());
  }
  expect(refused, "a new connection was not refused after SIGTERM");
  std::string during = co_await echo(a, "still here\n");
  expect(during == "still here\n", "the open connection stopped echoing during the drain");
  a.close();  // the last open connection: the drain ends, the server exits

  co_await line_starting(c.std_out(), pending, "stopped");
  corio::exit_status st = co_await c.wait(30s);
  expect(st.success(), "the server exited with code " + std::to_string(st.code()) + ", signal " + std::to_string(st.signal()));
  std::printf("the getting-started server behaved as documented\n");
  co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: drive_getting_started <server executable>\n");
    return 2;
  }
  try {
    corio::runtime rt;
    return rt.block_on(drive(argv[1]));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "drive_getting_started: %s\n", e.what());
    return 1;
  }
}
