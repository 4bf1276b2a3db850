// corio/http/pool.hpp - idle keep-alive connections, per host:port.
//
// What it does: a client puts a connection back after a response that allows reuse and takes one
// before opening a new connection to the same origin (url::origin(), "host:port"). Most recently
// used first (the connection least likely to have been closed by the server's idle timeout). At
// most max_idle_per_host are kept per origin: beyond that, put() destroys the connection (which
// closes it). Connection is any movable type whose destructor closes it: a file descriptor
// wrapper for the blocking client, a corio TCP stream for the async one. The pool cannot tell a
// connection the server has closed meanwhile: clients retry once on a fresh connection when a
// reused one fails before any byte of the response (GET and HEAD are idempotent).
//
// Threads: every member is thread-safe (a mutex; connections are destroyed outside it), so threads
// of the thread models can share one pool. A pool must not be used across fork(): a child would
// share the parent's sockets. Cancellation: not applicable (no IO). Buffers: not applicable.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace corio::http {

template <class Connection>
class connection_pool {
 public:
  explicit connection_pool(std::size_t max_idle_per_host) : max_idle_(max_idle_per_host) {}
  connection_pool(const connection_pool&) = delete;
  connection_pool& operator=(const connection_pool&) = delete;

  // An idle connection to `origin`, if there is one.
  std::optional<Connection> take(const std::string& origin) {
    std::lock_guard lock(mu_);
    auto it = idle_.find(origin);
    if (it == idle_.end() || it->second.empty()) return std::nullopt;
    std::optional<Connection> c(std::move(it->second.back()));
    it->second.pop_back();
    --count_;
    return c;
  }

  // Keeps `c` for reuse; destroys it if `origin` already has max_idle_per_host idle connections.
  void put(const std::string& origin, Connection c) {
    {
      std::lock_guard lock(mu_);
      auto& list = idle_[origin];
      if (list.size() < max_idle_) {
        list.push_back(std::move(c));
        ++count_;
        return;
      }
    }
    // `c` is destroyed here, outside the lock.
  }

  // Destroys every idle connection.
  void clear() {
    std::unordered_map<std::string, std::vector<Connection>> old;
    {
      std::lock_guard lock(mu_);
      old.swap(idle_);
      count_ = 0;
    }
  }

  std::size_t idle() const {
    std::lock_guard lock(mu_);
    return count_;
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::vector<Connection>> idle_;
  std::size_t count_ = 0;
  std::size_t max_idle_;
};

}  // namespace corio::http
