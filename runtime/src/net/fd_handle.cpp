// fd_handle: ownership of an fd, its backend registration and its pending operations
// (corio/net/detail/fd_handle.hpp).
#include <corio/net/detail/fd_handle.hpp>

#include <unistd.h>

#include <corio/detail/scheduler.hpp>

#include "io/backend.hpp"
#include "net/sockaddr.hpp"

namespace corio::detail {

fd_handle::fd_handle(int fd, kind k) : fd_handle() {
  scheduler* s = scheduler::current();
  if (!s) {
    ::close(fd);
    throw_error(errc::not_in_runtime, "corio IO objects must be created inside a corio runtime");
  }
  if (k == kind::socket) {
    try {
      fd_state_ = s->backend().attach_fd(fd);
    } catch (...) {
      ::close(fd);
      throw;
    }
  }
  fd_ = fd;
  sched_ = s;
  kind_ = k;
  s->register_io_object(reg_);
}

void fd_handle::take(fd_handle& o) noexcept {
  o.reg_.unlink();
  if (o.fd_ >= 0 && o.sched_) o.sched_->register_io_object(reg_);
  fd_ = std::exchange(o.fd_, -1);
  fd_state_ = std::exchange(o.fd_state_, nullptr);
  sched_ = std::exchange(o.sched_, nullptr);
  kind_ = std::exchange(o.kind_, kind::none);
  pending_ = std::exchange(o.pending_, nullptr);
  for (fd_op* op = pending_; op; op = op->next_) op->owner_ = this;
  name = o.name;
  name_len = std::exchange(o.name_len, 0);
  path = std::move(o.path);
  o.path.clear();
}

fd_handle::fd_handle(fd_handle&& o) noexcept : fd_handle() { take(o); }

fd_handle& fd_handle::operator=(fd_handle&& o) noexcept {
  if (this != &o) {
    close();
    take(o);
  }
  return *this;
}

void fd_handle::close() noexcept {
  if (fd_ < 0) return;
  io_backend& b = sched_->backend();
  if (pending_) {
    for (fd_op* op = std::exchange(pending_, nullptr); op;) {
      fd_op* next = op->next_;
      op->owner_ = nullptr;
      op->closed_ = true;
      op->linked_ = false;
      op->next_ = op->prev_ = nullptr;
      io_op& io = op->op();
      if (io.state == op_state::pending) {
        io.cancel_requested = true;
        b.cancel(io);
      }
      op = next;
    }
    // Hand the cancellations (and any not yet submitted request on this fd) to the kernel before
    // the fd number can be reused: after close(2) below, a new socket may get the same number.
    try {
      b.poll();
    } catch (...) {
      // Only a broken ring fails here (io_uring_submit errors other than EBUSY/EAGAIN); the loop
      // will rethrow that error itself on its next turn.
    }
  }
  if (fd_state_) b.detach_fd(fd_, fd_state_);
  ::close(fd_);
  fd_ = -1;
  fd_state_ = nullptr;
  reg_.unlink();
}

std::string fd_handle::describe() const {
  if (!path.empty()) return path;
  if (name_len) return describe_sockaddr(name, name_len);
  if (fd_ >= 0) return "fd " + std::to_string(fd_);
  return {};
}

}  // namespace corio::detail
