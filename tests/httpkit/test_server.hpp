// tests/httpkit/test_server.hpp - a small blocking HTTP test server on 127.0.0.1, for the blocking
// client's transport-level tests (well-behaved and misbehaving servers alike).
//
// The listening socket is bound (port 0) and listening when the constructor returns, so a client
// may connect at once. An accept thread runs `handler(conn)` for every connection on a thread of
// its own (so an idle pooled connection does not block the next one). Destruction (or stop())
// signals an eventfd that every wait of the server also polls, so handlers that wait for a peer
// that never comes, or pause between trickled bytes, return promptly; then all threads are joined.
// No sleeps: every wait is on an event (data, peer close, stop).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace corio_http_test {

struct request_head {
  std::string method, target, raw;
  // The value of header `name` (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

class connection {
 public:
  connection(int fd, int stop_fd) : fd_(fd), stop_fd_(stop_fd) {}
  // Reads one request head (through the blank line). nullopt: the peer closed, or the server stops.
  std::optional<request_head> read_request();
  // Writes everything; false if the peer is gone or the server stops.
  bool write(std::string_view data);
  // Writes one byte at a time with `gap` between bytes (interrupted by stop); false as write.
  bool trickle(std::string_view data, std::chrono::milliseconds gap);
  // Blocks until the peer closes the connection or the server stops.
  void wait_for_close();
  // Closes with a TCP reset (SO_LINGER 0) instead of a FIN.
  void reset();
  int fd() const { return fd_; }

 private:
  // Polls fd for `events` and the stop fd; false on stop (or timeout, when given).
  bool wait(short events, int timeout_ms = -1);
  int fd_;
  int stop_fd_;
  std::string buffered_;
};

class test_server {
 public:
  using handler = std::function<void(connection&)>;
  explicit test_server(handler h);
  ~test_server();
  test_server(const test_server&) = delete;
  test_server& operator=(const test_server&) = delete;

  std::uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port><path>"
  std::string url(std::string_view path = "/") const;
  // Connections accepted so far (counted before the handler runs).
  int accepted() const { return accepted_.load(); }
  void stop();

 private:
  void accept_loop();
  handler handler_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
  bool stopped_ = false;
};

// A test_server in a process of its own, for tests that fork(): the test process then has no
// thread of the server running when it forks (a child forked while another thread held a lock,
// e.g. the sanitizer allocator's, would deadlock). Construct it while the test process has no
// other thread. It counts accepted connections in shared memory; destruction stops and reaps it.
class process_server {
 public:
  explicit process_server(test_server::handler h);
  ~process_server();
  process_server(const process_server&) = delete;
  process_server& operator=(const process_server&) = delete;
  std::uint16_t port() const { return port_; }
  std::string url(std::string_view path = "/") const;
  int accepted() const;

 private:
  int pid_ = -1;
  int stop_fd_ = -1;  // the server process exits when this pipe closes
  std::uint16_t port_ = 0;
  std::atomic<int>* accepted_ = nullptr;  // in a shared mapping
};

// A handler that answers every request on a connection with respond(request) until the peer
// closes. It closes the connection after a response containing "Connection: close", after a
// request asking for it, and instead of answering when respond() returns "".
test_server::handler serve(std::function<std::string(const request_head&)> respond);

// "HTTP/1.1 <status> X\r\nContent-Length: n\r\n<extra>\r\n<body>"
std::string make_response(int status, std::string_view body, std::string_view extra_headers = "");

}  // namespace corio_http_test
