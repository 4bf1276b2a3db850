// corio/net/resolver.hpp - name resolution that never blocks the loop: resolve() and resolver.
//
// What it does: `auto eps = co_await resolve("localhost", 8080);` returns the addresses of a host
// name (getaddrinfo: /etc/hosts, DNS, ... per nsswitch.conf), IPv4 and IPv6, without duplicates, in
// getaddrinfo's order of preference. Address literals ("127.0.0.1", "::1", "[::1]") are answered at
// once, on the loop thread. Anything else runs getaddrinfo() on the runtime's blocking thread pool
// (corio::spawn_blocking), so a slow DNS server never stalls other tasks.
// resolver is the configurable form: a family filter, and a replaceable lookup function (tests use
// it to make a lookup that blocks until they say so).
// Errors: corio::error with a code of resolve_error_category() (EAI_NONAME, EAI_AGAIN, ...):
// "resolve nosuchhost.invalid:80: Name or service not known". A result with no address of the
// requested family throws EAI_NONAME too, so the vector returned is never empty.
// Which thread resumes you: the runtime's thread.
// Cancellation and deadlines: cancelling the task (or a deadline, or corio::timeout) ends the wait
// at once with errc::operation_aborted / errc::timed_out. getaddrinfo() itself cannot be
// interrupted: it goes on in its pool thread, and its result is dropped when it ends. (The
// runtime's destructor waits for pool threads that are running.)
// Buffers: none (host and service are copied).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <corio/io/deadline.hpp>
#include <corio/net/endpoint.hpp>
#include <corio/task.hpp>

namespace corio::net {

struct resolve_options {
  std::optional<ip_family> family;  // only IPv4 or only IPv6; default: both
  bool numeric_host = false;        // AI_NUMERICHOST: refuse names, accept only address literals
};

class resolver {
 public:
  // Runs on a pool thread: returns the endpoints of host:port, or throws corio::error.
  using lookup_function = std::function<std::vector<endpoint>(const std::string& host, std::uint16_t port,
                                                              const resolve_options& opts)>;

  // getaddrinfo(3).
  resolver() = default;
  explicit resolver(lookup_function f) : lookup_(std::move(f)) {}

  task<std::vector<endpoint>> resolve(std::string host, std::uint16_t port, resolve_options opts = {},
                                      deadline d = {}) const;

  // The default lookup: getaddrinfo() with AI_NUMERICSERV (blocking; for pool threads).
  static std::vector<endpoint> getaddrinfo_lookup(const std::string& host, std::uint16_t port,
                                                  const resolve_options& opts);

 private:
  lookup_function lookup_;
};

// resolver{}.resolve(...)
task<std::vector<endpoint>> resolve(std::string host, std::uint16_t port, resolve_options opts = {},
                                    deadline d = {});

}  // namespace corio::net
