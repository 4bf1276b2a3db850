// Name resolution (corio/net/resolver.hpp).
//
// A lookup runs in a detached worker task that awaits spawn_blocking(getaddrinfo); the caller waits
// on a small shared state, in an awaiter that cancellation and the deadline can end at any time.
// The state is shared (shared_ptr) by the worker and the caller, so whichever finishes last frees
// it: an abandoned lookup just finishes on its pool thread and drops its result. If the runtime is
// destroyed first, it destroys the worker (after waiting for the running pool thread), which frees
// the state: nothing leaks.
#include <corio/net/resolver.hpp>

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include <corio/blocking.hpp>
#include <corio/detail/scheduler.hpp>
#include <corio/net/errors.hpp>
#include <corio/spawn.hpp>

#include "net/sockaddr.hpp"

namespace corio::net {

namespace {

class resolve_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "resolve"; }
  std::string message(int c) const override { return ::gai_strerror(c); }
};

std::string target_of(const std::string& host, std::uint16_t port) {
  if (host.find(':') != std::string::npos && host.front() != '[') return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

[[noreturn]] void throw_gai(int rc, int err, const std::string& host, std::uint16_t port) {
  const std::string ctx = "resolve " + target_of(host, port);
  if (rc == EAI_SYSTEM) throw error(std::error_code(err ? err : EIO, std::system_category()), ctx);
  throw error(std::error_code(rc, resolve_error_category()), ctx);
}

struct resolve_state;

// The caller's wait: ends when the worker finishes, the task is cancelled or the deadline passes.
class state_wait final : detail::timer_node, detail::cancel_registration {
 public:
  state_wait(std::shared_ptr<resolve_state> st, std::int64_t deadline_ns) noexcept
      : detail::cancel_registration(&cancelled), st_(std::move(st)) {
    deadline = deadline_ns;
    fire = &fired;
  }
  state_wait(const state_wait&) = delete;
  ~state_wait() { disarm_all(); }

  bool await_ready() const noexcept;
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h);
  // 0: finished; otherwise errc::operation_aborted or errc::timed_out.
  errc await_resume() noexcept {
    disarm_all();
    return outcome_;
  }
  void worker_done() noexcept {
    disarm_all();
    sched_->schedule(waiter_);
  }

 private:
  void disarm_all() noexcept;
  static void fired(detail::timer_node* n) noexcept {
    auto* self = static_cast<state_wait*>(n);
    self->outcome_ = errc::timed_out;
    self->disarm_all();
    self->sched_->schedule(self->waiter_);
  }
  static void cancelled(detail::cancel_handler* c) noexcept {
    auto* self = static_cast<state_wait*>(c);
    self->outcome_ = errc::operation_aborted;
    self->disarm_all();
    self->sched_->schedule(self->waiter_);
  }

  std::shared_ptr<resolve_state> st_;
  detail::scheduler* sched_ = nullptr;
  std::coroutine_handle<> waiter_;
  errc outcome_{};
};

struct resolve_state {
  std::vector<endpoint> result;
  std::exception_ptr error;
  bool done = false;
  state_wait* wait = nullptr;  // the caller, while it waits
};

bool state_wait::await_ready() const noexcept { return st_->done; }

template <class P>
bool state_wait::await_suspend(std::coroutine_handle<P> h) {
  sched_ = &detail::scheduler::current_or_throw();
  if (!arm(detail::slot_of(h))) {
    outcome_ = errc::operation_aborted;
    return false;
  }
  if (deadline != 0 && deadline <= sched_->now_ns()) {
    outcome_ = errc::timed_out;
    disarm();
    return false;
  }
  waiter_ = h;
  st_->wait = this;
  if (deadline != 0) sched_->add_timer(*this);
  return true;
}

void state_wait::disarm_all() noexcept {
  if (st_ && st_->wait == this) st_->wait = nullptr;
  if (sched_ && queued()) sched_->remove_timer(*this);
  disarm();
}

task<void> resolve_worker(std::shared_ptr<resolve_state> st, resolver::lookup_function fn, std::string host,
                          std::uint16_t port, resolve_options opts) {
  try {
    st->result = co_await spawn_blocking([&] { return fn(host, port, opts); });
  } catch (...) {
    st->error = std::current_exception();
  }
  st->done = true;
  if (st->wait) st->wait->worker_done();
}

// "127.0.0.1", "::1", "[::1]" -> an address; anything else -> nullopt.
std::optional<ip_address> literal(const std::string& host) {
  std::string_view h = host;
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  return ip_address::try_parse(h);
}

}  // namespace

const std::error_category& resolve_error_category() noexcept {
  static const resolve_category_impl c;
  return c;
}

std::vector<endpoint> resolver::getaddrinfo_lookup(const std::string& host, std::uint16_t port,
                                                   const resolve_options& opts) {
  addrinfo hints{};
  hints.ai_family = !opts.family ? AF_UNSPEC : (*opts.family == ip_family::v6 ? AF_INET6 : AF_INET);
  hints.ai_socktype = SOCK_STREAM;  // one entry per address rather than one per socket type
  hints.ai_flags = AI_NUMERICSERV | (opts.numeric_host ? AI_NUMERICHOST : 0);
  const std::string service = std::to_string(port);
  addrinfo* res = nullptr;
  errno = 0;
  const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &res);
  if (rc != 0) throw_gai(rc, errno, host, port);
  std::vector<endpoint> out;
  try {
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
      if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
      sockaddr_storage ss{};
      const auto len = std::min<socklen_t>(ai->ai_addrlen, sizeof ss);
      std::memcpy(&ss, ai->ai_addr, len);
      endpoint ep = detail::from_sockaddr(ss, len);
      if (std::find(out.begin(), out.end(), ep) == out.end()) out.push_back(ep);
    }
  } catch (...) {
    ::freeaddrinfo(res);
    throw;
  }
  ::freeaddrinfo(res);
  if (out.empty()) throw_gai(EAI_NONAME, 0, host, port);
  return out;
}

namespace {
task<std::vector<endpoint>> resolve_with(resolver::lookup_function lookup, std::string host, std::uint16_t port,
                                         resolve_options opts, deadline d) {
  if (host.empty()) throw_gai(EAI_NONAME, 0, host, port);
  if (auto a = literal(host)) {
    if (opts.family && a->family() != *opts.family) throw_gai(EAI_NONAME, 0, host, port);
    co_return std::vector<endpoint>{endpoint(*a, port)};
  }
  if (opts.numeric_host && !lookup) throw_gai(EAI_NONAME, 0, host, port);
  auto st = std::make_shared<resolve_state>();
  if (!lookup) lookup = &resolver::getaddrinfo_lookup;
  spawn(resolve_worker(st, std::move(lookup), host, port, opts)).detach();
  state_wait w(st, d.ns());
  const errc outcome = co_await w;
  if (outcome != errc{}) throw error(make_error_code(outcome), "resolve " + target_of(host, port));
  if (st->error) std::rethrow_exception(st->error);
  if (st->result.empty()) throw_gai(EAI_NONAME, 0, host, port);
  if (opts.family) {
    std::vector<endpoint> filtered;
    for (auto& ep : st->result)
      if (ep.family() == *opts.family) filtered.push_back(ep);
    if (filtered.empty()) throw_gai(EAI_NONAME, 0, host, port);
    co_return filtered;
  }
  co_return std::move(st->result);
}
}  // namespace

// The member is not a coroutine: the lookup function is copied into the coroutine, so the
// resolver may be a temporary.
task<std::vector<endpoint>> resolver::resolve(std::string host, std::uint16_t port, resolve_options opts,
                                              deadline d) const {
  return resolve_with(lookup_, std::move(host), port, opts, d);
}

task<std::vector<endpoint>> resolve(std::string host, std::uint16_t port, resolve_options opts, deadline d) {
  return resolve_with(nullptr, std::move(host), port, opts, d);
}

}  // namespace corio::net
