// Asio backend (io/backend.hpp contract), driving an asio::io_context on the runtime's thread.
//
// Asio is a readiness (reactor) design on Linux: epoll tells when a socket can be read or written,
// then the syscall runs in user space. corio's ops are completion-based, so each op here is a
// small state machine, the way Asio's own reactive socket ops work:
//   submit: try the syscall at once (speculatively). Done, or failed with a real error: park the
//           result in `ready_`, handed back by the next poll()/wait() (never inside submit()).
//           EAGAIN: async_wait() for readiness on the fd's stream_descriptor, then try again.
//   connect: connect() -> EINPROGRESS -> wait writable -> getsockopt(SO_ERROR).
//   cancel: descriptor.cancel() aborts every wait on that fd; waits of ops that were not
//           cancelled simply re-arm.
// Each fd gets one stream_descriptor (registered with epoll once, edge-triggered, by attach_fd)
// that never owns the fd: corio closes fds itself. Regular files cannot be registered with epoll;
// their ops (read_at, write_at, fsync, openat) run on a small thread pool owned by the backend
// (asio::thread_pool, started on first use), whose threads post the result back to the
// io_context: submit() never blocks on the disk. Such an op cannot be interrupted at all once
// submitted (cancel() ignores it, the pool runs it): a cancelled one, or one whose deadline passed,
// completes with its real result.
// Deadlines use the runtime's timer queue (native_deadlines() is false).
#include "io/asio/asio_backend.hpp"
#include "io/select.hpp"

#include <asio.hpp>

#include <corio/error.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <optional>

namespace corio::detail {
namespace {

using descriptor = asio::posix::stream_descriptor;

enum : unsigned char { kIdle = 0, kWaiting = 1, kOffloaded = 2 };
enum : unsigned char { kConnectStart = 0, kConnectWaiting = 1 };

// Threads for regular-file operations.
constexpr unsigned kFileThreads = 4;

class asio_backend final : public io_backend {
 public:
  asio_backend() : ctx_(1), work_(asio::make_work_guard(ctx_)) {}
  ~asio_backend() override {
    if (files_) files_->join();  // drain() has waited for every file op already
    work_.reset();
  }

  backend_kind kind() const noexcept override { return backend_kind::asio; }
  bool native_deadlines() const noexcept override { return false; }
  std::size_t in_flight() const noexcept override { return in_flight_.size(); }
  asio::io_context& context() noexcept { return ctx_; }
  void add_foreign_ops(std::ptrdiff_t d) noexcept { foreign_ops_ += d; }

  void* attach_fd(int fd) override {
    auto d = std::make_unique<descriptor>(ctx_);
    asio::error_code ec;
    d->assign(fd, ec);
    // A regular file, which epoll refuses with EPERM, is accepted by Asio without registration (its
    // ops never wait). Any other failure (ENOMEM, ENOSPC from fs.epoll.max_user_watches) would leave
    // a socket whose every operation fails with EBADF: report the real reason instead.
    if (ec) throw_error(std::error_code(ec.value(), std::system_category()), "register fd " + std::to_string(fd) + " with epoll");
    return d.release();
  }
  void detach_fd(int, void* state) noexcept override {
    if (!state) return;
    auto* d = static_cast<descriptor*>(state);
    d->release();  // deregisters from epoll; the fd stays open
    delete d;
  }

  void submit(io_op& op) override {
    if (is_file_op(op.code)) return offload(op);
    in_flight_.push(op);
    phase(op) = kConnectStart;
    attempt(op);
  }

  void cancel(io_op& op) noexcept override {
    if (op.state != op_state::pending || wait_state(op) != kWaiting) return;
    asio::error_code ec;
    static_cast<descriptor*>(op.fd_state)->cancel(ec);
  }

  void poll(op_queue& done) override {
    if (in_flight_.size() > 0 || foreign_ops_ > 0 || wake_pending_.load(std::memory_order_relaxed)) {
      wake_pending_.store(false, std::memory_order_relaxed);
      ctx_.poll();
    }
    done.splice(ready_);
  }

  void wait(std::int64_t deadline_ns, op_queue& done) override {
    if (!ready_.empty()) return done.splice(ready_);
    wake_pending_.store(false, std::memory_order_relaxed);
    if (deadline_ns < 0) {
      ctx_.run_one();
    } else {
      ctx_.run_one_until(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(deadline_ns)));
    }
    ctx_.poll();
    done.splice(ready_);
  }

  void wake() noexcept override {
    wake_pending_.store(true, std::memory_order_relaxed);
    try {
      asio::post(ctx_, [] {});
    } catch (...) {
      // Out of memory for a handler: the loop will still notice the remote queue on its next turn.
    }
  }

  void drain(op_queue& done) noexcept override {
    for (io_op* op = in_flight_.front(); op; op = op->next) {
      op->cancel_requested = true;
      cancel(*op);
    }
    while (in_flight_.size() > 0) {
      try {
        ctx_.run_one();
      } catch (...) {
      }
    }
    done.splice(ready_);
  }

 private:
  static unsigned char& wait_state(io_op& op) noexcept { return op.scratch[0]; }
  static unsigned char& phase(io_op& op) noexcept { return op.scratch[1]; }

  static bool is_file_op(op_code c) noexcept {
    return c == op_code::read_at || c == op_code::write_at || c == op_code::fsync || c == op_code::openat;
  }
  static bool wants_write(const io_op& op) noexcept {
    switch (op.code) {
      case op_code::send:
      case op_code::sendmsg:
      case op_code::connect: return true;
      case op_code::poll: return !(op.flags & POLLIN) && (op.flags & POLLOUT);
      default: return false;
    }
  }

  // Runs the op's syscall. Returns the result, or -EAGAIN when the fd is not ready.
  static int perform(io_op& op) noexcept {
    ssize_t r = 0;
    switch (op.code) {
      case op_code::nop: return 0;
      case op_code::read: r = ::read(op.fd, op.buf, op.len); break;
      case op_code::recv: r = ::recv(op.fd, op.buf, op.len, static_cast<int>(op.flags)); break;
      case op_code::send: r = ::send(op.fd, op.buf, op.len, static_cast<int>(op.flags | MSG_NOSIGNAL)); break;
      case op_code::read_at: r = ::pread(op.fd, op.buf, op.len, static_cast<off_t>(op.offset)); break;
      case op_code::write_at: r = ::pwrite(op.fd, op.buf, op.len, static_cast<off_t>(op.offset)); break;
      case op_code::accept:
        r = ::accept4(op.fd, static_cast<sockaddr*>(op.addr), reinterpret_cast<socklen_t*>(op.addrlen),
                      static_cast<int>(op.flags));
        break;
      case op_code::connect:
        if (phase(op) == kConnectStart) {
          r = ::connect(op.fd, static_cast<const sockaddr*>(op.addr), static_cast<socklen_t>(op.len));
          if (r < 0 && (errno == EINPROGRESS || errno == EAGAIN)) {
            phase(op) = kConnectWaiting;
            return -EAGAIN;
          }
        } else {
          int err = 0;
          socklen_t len = sizeof err;
          if (::getsockopt(op.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return -errno;
          return err ? -err : 0;
        }
        break;
      case op_code::recvmsg: r = ::recvmsg(op.fd, static_cast<msghdr*>(op.addr), static_cast<int>(op.flags)); break;
      case op_code::sendmsg:
        r = ::sendmsg(op.fd, static_cast<const msghdr*>(op.addr), static_cast<int>(op.flags | MSG_NOSIGNAL));
        break;
      case op_code::fsync: r = op.flags ? ::fdatasync(op.fd) : ::fsync(op.fd); break;
      case op_code::openat:
        r = ::openat(AT_FDCWD, static_cast<const char*>(op.addr), static_cast<int>(op.flags) | O_CLOEXEC,
                     static_cast<mode_t>(op.len));
        break;
      case op_code::poll: {
        pollfd p{op.fd, static_cast<short>(op.flags), 0};
        r = ::poll(&p, 1, 0);
        if (r == 0) return -EAGAIN;
        if (r > 0) return p.revents;
        break;
      }
    }
    if (r < 0) return errno == EWOULDBLOCK ? -EAGAIN : -errno;
    return static_cast<int>(r);
  }

  void attempt(io_op& op) {
    if (op.cancel_requested || op.timed_out) return finish(op, -ECANCELED);
    int r = perform(op);
    if (r == -EAGAIN && op.code != op_code::nop) {
      if (!op.fd_state) return finish(op, -EBADF);  // fd was never attached to this backend
      arm(op);
      return;
    }
    if (r == -EINTR) return attempt(op);
    finish(op, r);
  }

  void arm(io_op& op) {
    wait_state(op) = kWaiting;
    auto* d = static_cast<descriptor*>(op.fd_state);
    d->async_wait(wants_write(op) ? descriptor::wait_write : descriptor::wait_read,
                  [this, &op](const asio::error_code& ec) { on_ready(op, ec); });
  }

  void on_ready(io_op& op, const asio::error_code& ec) {
    wait_state(op) = kIdle;
    if (ec == asio::error::operation_aborted) {
      if (op.cancel_requested || op.timed_out) return finish(op, -ECANCELED);
      return arm(op);  // another op's cancel() hit this fd: wait again
    }
    if (ec) return finish(op, -(ec.value() ? ec.value() : EIO));
    if (op.cancel_requested || op.timed_out) return finish(op, -ECANCELED);
    int r = perform(op);
    while (r == -EINTR) r = perform(op);
    if (r == -EAGAIN) return arm(op);  // spurious readiness
    finish(op, r);
  }

  // A regular-file op: runs on a pool thread; its result comes back as a handler on ctx_.
  void offload(io_op& op) {
    if (!files_) files_.emplace(kFileThreads);
    in_flight_.push(op);
    wait_state(op) = kOffloaded;
    // The pool thread reads only the request fields, which nothing changes while the op is
    // pending, and hands its result back by value: the op's state stays the loop thread's.
    asio::post(*files_, [this, &op] {
      int r;
      do {
        r = perform(op);
      } while (r == -EINTR);
      asio::post(ctx_, [this, &op, r] { finish(op, r); });
    });
  }

  void finish(io_op& op, int result) noexcept {
    wait_state(op) = kIdle;
    in_flight_.erase(op);
    complete(op, result, ready_);
  }

  asio::io_context ctx_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::optional<asio::thread_pool> files_;
  std::atomic<bool> wake_pending_{false};
  op_queue ready_;  // completed, not yet handed back
  in_flight_list in_flight_;
  std::ptrdiff_t foreign_ops_ = 0;
};

}  // namespace

std::unique_ptr<io_backend> make_asio_backend() { return std::make_unique<asio_backend>(); }

void* asio_context_of(io_backend& b) noexcept {
  if (b.kind() != backend_kind::asio) return nullptr;
  return &static_cast<asio_backend&>(b).context();
}

void add_foreign_asio_ops(io_backend& b, std::ptrdiff_t delta) noexcept {
  if (b.kind() == backend_kind::asio) static_cast<asio_backend&>(b).add_foreign_ops(delta);
}

}  // namespace corio::detail
