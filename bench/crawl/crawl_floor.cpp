// The epoll-floor model (crawl_floor.hpp): what fetching a URL list costs with no runtime at all.
//
// One thread, one epoll set, C connection slots, each a small state machine:
//   start:    take the next task index; reuse the slot's keep-alive socket, or socket() +
//             non-blocking connect() + epoll_ctl(ADD, IN|OUT, edge-triggered); send the request
//             at once (on loopback the handshake is complete when connect returns EINPROGRESS;
//             if the send says EAGAIN, EPOLLOUT resumes it);
//   readable: recv into ONE buffer shared by every slot (reads are synchronous, so nothing waits
//             holding a buffer) and feed corio::http::response_parser (the same parser as every
//             other client), until the response is complete or recv says EAGAIN;
//   complete: record the task, close (or keep) the socket, start the next task (from the loop).
// Deliberately absent, so that it stays a floor: deadlines, redirects, the stale-connection retry,
// name resolution (numeric hosts only). Errors fail the task and count like the other clients'.
#include "crawl/crawl_floor.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <corio/error.hpp>
#include <corio/http/error.hpp>
#include <corio/http/parser.hpp>
#include <corio/http/request.hpp>

#include "crawl/crawl_workload.hpp"
#include "models/measure.hpp"

namespace corio_crawl {
namespace {

namespace http = corio::http;
using corio_models::run_context;
using corio_models::task_state;

struct slot {
  int fd = -1;
  std::size_t task = SIZE_MAX;
  std::string req;
  std::size_t sent = 0;
  http::response_parser parser;
  bool busy = false;
};

class floor_run {
 public:
  floor_run(run_context& ctx, crawl_workload& wl, std::size_t c) : ctx_(ctx), wl_(wl), slots_(c), buf_(64 * 1024) {}

  void run() {
    ep_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (ep_ < 0) {
      ctx_.ctl.request_stop(corio_models::stop_kind::error, std::string("epoll_create1: ") + std::strerror(errno), errno);
      return;
    }
    for (std::size_t s = 0; s < slots_.size(); ++s) ready_.push_back(s);
    drain_ready();
    ctx_.meter.poke();
    std::vector<epoll_event> evs(1024);
    while (busy_ > 0) {
      const int k = ::epoll_wait(ep_, evs.data(), static_cast<int>(evs.size()), -1);
      if (k < 0) {
        if (errno == EINTR) continue;
        ctx_.ctl.request_stop(corio_models::stop_kind::error, std::string("epoll_wait: ") + std::strerror(errno), errno);
        break;
      }
      for (int e = 0; e < k; ++e) {
        const std::size_t s = evs[e].data.u32;
        if (s >= slots_.size() || !slots_[s].busy) continue;
        if (evs[e].events & EPOLLOUT) send_more(s);
        if (slots_[s].busy && (evs[e].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) read_more(s);
      }
      drain_ready();
    }
    for (slot& sl : slots_) close_fd(sl);
    ::close(ep_);
  }

 private:
  void close_fd(slot& sl) {
    if (sl.fd >= 0) ::close(sl.fd);  // close(2) also removes it from the epoll set
    sl.fd = -1;
  }

  // Starts the next task on every slot that finished one (iteratively: a task that fails at once
  // must not recurse into the next one).
  void drain_ready() {
    while (!ready_.empty()) {
      const std::size_t s = ready_.back();
      ready_.pop_back();
      start(s);
    }
  }

  // Starts the next task on slot s, if any is left.
  void start(std::size_t s) {
    slot& sl = slots_[s];
    const std::size_t i = next_;
    if (i >= ctx_.records.size() || ctx_.ctl.should_stop()) {
      close_fd(sl);
      return;
    }
    ++next_;
    ctx_.ctl.started.fetch_add(1, std::memory_order_relaxed);
    auto& rec = ctx_.records[i];
    rec.pid = rec.tid = static_cast<std::int32_t>(::getpid());
    rec.start_ns = corio_models::mono_ns();
    sl.task = i;
    sl.busy = true;
    ++busy_;
    try {
      bool ended = false;
      const auto u = wl_.front().try_get(i, ended);
      if (!u) throw std::invalid_argument("epoll-floor: slot not filled (list mode only)");
      const http::url target = http::url::parse(*u);
      sl.req.clear();
      http::request_options ro;
      ro.keep_alive = wl_.options().http.keep_alive;
      ro.user_agent = wl_.options().http.user_agent;
      http::append_request(sl.req, http::method::get, target, ro);
      sl.sent = 0;
      sl.parser.reset(http::method::get);
      if (sl.fd < 0) open_connection(sl, s, target);
      send_more(s);
    } catch (const std::exception& e) {
      fail(s, e);
    }
  }

  void open_connection(slot& sl, std::size_t s, const http::url& u) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(u.port());
    if (::inet_pton(AF_INET, std::string(u.host()).c_str(), &a.sin_addr) != 1)
      throw std::invalid_argument("epoll-floor: numeric IPv4 hosts only");
    sl.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (sl.fd < 0) throw corio::error(std::error_code(errno, std::system_category()), "socket");
    if (::connect(sl.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 && errno != EINPROGRESS)
      throw corio::error(std::error_code(errno, std::system_category()), "connect");
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
    ev.data.u32 = static_cast<std::uint32_t>(s);
    if (::epoll_ctl(ep_, EPOLL_CTL_ADD, sl.fd, &ev) < 0)
      throw corio::error(std::error_code(errno, std::system_category()), "epoll_ctl");
  }

  void send_more(std::size_t s) {
    slot& sl = slots_[s];
    while (sl.sent < sl.req.size()) {
      const ssize_t n = ::send(sl.fd, sl.req.data() + sl.sent, sl.req.size() - sl.sent, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == ENOTCONN) return;  // EPOLLOUT resumes
        if (errno == EINTR) continue;
        fail(s, corio::error(std::error_code(errno, std::system_category()), "send"));
        return;
      }
      sl.sent += static_cast<std::size_t>(n);
    }
  }

  void read_more(std::size_t s) {
    slot& sl = slots_[s];
    try {
      for (;;) {
        const ssize_t n = ::recv(sl.fd, buf_.data(), buf_.size(), 0);
        if (n < 0) {
          if (errno == EAGAIN) return;
          if (errno == EINTR) continue;
          if (errno == ECONNRESET) http::throw_error(http::errc::connection_reset, "recv");
          throw corio::error(std::error_code(errno, std::system_category()), "recv");
        }
        if (n == 0) {
          sl.parser.finish();
        } else {
          const std::size_t used = sl.parser.feed({buf_.data(), static_cast<std::size_t>(n)});
          if (sl.parser.complete() && used < static_cast<std::size_t>(n)) close_fd(sl);  // extra bytes: no reuse
        }
        if (sl.parser.complete()) {
          finish(s, sl.parser.take());
          return;
        }
      }
    } catch (const std::exception& e) {
      fail(s, e);
    }
  }

  void finish(std::size_t s, http::response r) {
    slot& sl = slots_[s];
    auto& rec = ctx_.records[sl.task];
    wl_.process(r);
    rec.value = crawl_workload::value_of(r);
    rec.state = ctx_.wl.valid_result(sl.task, rec.value) ? task_state::ok : task_state::failed;
    if (!(wl_.options().http.keep_alive && r.keep_alive)) close_fd(sl);
    done(s);
  }

  void fail(std::size_t s, const std::exception& e) {
    slot& sl = slots_[s];
    wl_.count_error(e);
    ctx_.records[sl.task].state = task_state::failed;
    close_fd(sl);
    done(s);
  }

  void done(std::size_t s) {
    slot& sl = slots_[s];
    auto& rec = ctx_.records[sl.task];
    rec.end_ns = corio_models::mono_ns();
    ++rec.runs;
    corio_models::count_task(ctx_.ctl, rec);
    sl.busy = false;
    --busy_;
    ready_.push_back(s);
  }

  run_context& ctx_;
  crawl_workload& wl_;
  std::vector<slot> slots_;
  std::vector<char> buf_;
  int ep_ = -1;
  std::size_t next_ = 0;
  std::size_t busy_ = 0;
  std::vector<std::size_t> ready_;  // slots whose next task is to be started
};

class epoll_floor_model final : public corio_models::model {
 public:
  std::string name() const override { return "epoll-floor"; }
  corio_models::per_task_resource resource() const override { return corio_models::per_task_resource::none; }
  std::size_t concurrency(const corio_models::run_options& o) const override { return o.workers ? o.workers : o.n; }
  void describe(corio_bench::json_line& j) const override {
    j.add("backend", "epoll (hand-written)").add("threads", 1).add("workers", slots_);
  }
  void run(run_context& ctx) override {
    auto* wl = dynamic_cast<crawl_workload*>(&ctx.wl);
    if (!wl || !wl->options().list) {
      ctx.ctl.request_stop(corio_models::stop_kind::error, "epoll-floor runs only the crawl workload's list mode (--list)");
      return;
    }
    slots_ = std::min(concurrency(ctx.opts), ctx.records.size());
    floor_run r(ctx, *wl, slots_);
    r.run();
  }

 private:
  std::size_t slots_ = 0;
};

}  // namespace

std::unique_ptr<corio_models::model> make_epoll_floor_model() { return std::make_unique<epoll_floor_model>(); }

}  // namespace corio_crawl
