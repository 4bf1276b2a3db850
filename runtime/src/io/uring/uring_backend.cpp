// io_uring backend (io/backend.hpp contract).
//
// Design:
//   - One ring per runtime, created with SINGLE_ISSUER + DEFER_TASKRUN (+ TASKRUN_FLAG) when the
//     kernel has them (6.1+): completions are only processed when this thread asks for them, in
//     io_uring_enter, so no IPI or task-work interrupts the loop. Older kernels: COOP_TASKRUN, then
//     no flags. SUBMIT_ALL keeps a bad SQE from stalling the rest of a batch.
//   - The CQ is sized well above the SQ (16x by default). If completions still outrun it, the
//     kernel keeps them on its overflow list (IORING_FEAT_NODROP, required) and reap() flushes
//     that list whenever IORING_SQ_CQ_OVERFLOW is set. Submission that fails with EBUSY/EAGAIN
//     (overflow backlog, kernel memory) reaps first and retries.
//   - SQEs are batched: submit() only fills the SQ; the loop submits everything in one
//     io_uring_enter that also waits (io_uring_submit_and_wait_timeout). A full SQ is flushed.
//   - Completions are handed back through op_queues (io/backend.hpp). A reap that happens inside
//     submit() or cancel() (a full SQ is flushed, and EBUSY reaps to make room) parks what it finds
//     in `reaped_`, which the next poll() or wait() hands back: submit never completes an op.
//   - user_data is the io_op address; the low bits tag internal SQEs whose CQEs carry no op
//     (linked timeouts, cancels, the wake-up eventfd read). Ops are 8-byte aligned.
//   - Deadlines: an op with a deadline is linked (IOSQE_IO_LINK) to an IORING_OP_LINK_TIMEOUT with
//     an absolute CLOCK_MONOTONIC time. The kernel copies the timespec when it consumes the SQE, so
//     it lives in the op until submission.
//   - Cancellation: IORING_OP_ASYNC_CANCEL keyed by the op's address. The op then completes with
//     -ECANCELED (or its real result if it won the race); either way through its own CQE.
//   - wake(): an eventfd with a read always armed on the ring; other threads write to it.
#include "io/uring/uring_backend.hpp"

#include <corio/error.hpp>

#include <liburing.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

namespace corio::detail {
namespace {

constexpr std::uint64_t kTagLinkTimeout = 1;
constexpr std::uint64_t kTagCancel = 2;
constexpr std::uint64_t kTagWake = 3;
constexpr std::uint64_t kTagMask = 7;

class uring_backend final : public io_backend {
 public:
  uring_backend(const runtime_options& opts, std::string& description) {
    unsigned sq = opts.sq_entries ? opts.sq_entries : 4096;
    unsigned cq = opts.cq_entries ? opts.cq_entries : sq * 16;
    if (cq < sq) cq = sq;
    struct attempt {
      unsigned flags;
      const char* name;
    };
    const attempt attempts[] = {
        {IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
         "SINGLE_ISSUER|DEFER_TASKRUN|TASKRUN_FLAG"},
        {IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG, "COOP_TASKRUN|TASKRUN_FLAG"},
        {0, "no task-run flags"},
    };
    int err = 0;
    bool ok = false;
    for (const attempt& a : attempts) {
      if (!opts.uring_defer_taskrun && (a.flags & IORING_SETUP_DEFER_TASKRUN)) continue;
      io_uring_params p{};
      p.flags = a.flags | IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL;
      p.cq_entries = cq;
      err = io_uring_queue_init_params(sq, &ring_, &p);
      if (err == -EINVAL) {  // older kernel: try without SUBMIT_ALL before dropping task-run flags
        p = io_uring_params{};
        p.flags = a.flags | IORING_SETUP_CQSIZE;
        p.cq_entries = cq;
        err = io_uring_queue_init_params(sq, &ring_, &p);
      }
      if (err == 0) {
        if (!(p.features & IORING_FEAT_NODROP)) {
          io_uring_queue_exit(&ring_);
          throw uring_unavailable(ENOTSUP, "the kernel's io_uring lacks IORING_FEAT_NODROP (needs Linux 5.5+)");
        }
        description = std::string("io_uring sq=") + std::to_string(p.sq_entries) + " cq=" +
                      std::to_string(p.cq_entries) + " " + a.name;
        ok = true;
        break;
      }
      if (err != -EINVAL) break;  // ENOSYS, EPERM, ENOMEM...: flags will not help
    }
    if (!ok) {
      std::string why = std::string("io_uring_setup failed: ") + std::strerror(-err);
      if (err == -EPERM)
        why += " (blocked by a seccomp filter such as Docker's default profile, or by the sysctl "
               "kernel.io_uring_disabled)";
      else if (err == -ENOSYS)
        why += " (kernel built without io_uring, or the syscall is filtered)";
      throw uring_unavailable(-err, why);
    }
    if (!probe_ops()) {
      io_uring_queue_exit(&ring_);
      throw uring_unavailable(ENOTSUP, "the kernel's io_uring lacks operations corio needs (needs Linux 5.6+)");
    }
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) {
      int e = errno;
      io_uring_queue_exit(&ring_);
      throw uring_unavailable(e, std::string("eventfd failed: ") + std::strerror(e));
    }
  }

  ~uring_backend() override {
    io_uring_queue_exit(&ring_);  // cancels the wake read and any pending link timeouts
    ::close(wake_fd_);
  }

  backend_kind kind() const noexcept override { return backend_kind::io_uring; }
  bool native_deadlines() const noexcept override { return true; }
  std::size_t in_flight() const noexcept override { return in_flight_.size(); }
  void* attach_fd(int) override { return nullptr; }
  void detach_fd(int, void*) noexcept override {}

  void submit(io_op& op) override {
    // The driver keeps the deadline in the runtime's timer queue instead (a paused clock's virtual
    // time means nothing to the kernel): then no linked timeout.
    const bool linked = op.deadline_ns != 0 && !op.deadline_timer.queued();
    io_uring_sqe* sqe = get_sqe(linked ? 2 : 1);
    prep(sqe, op);
    io_uring_sqe_set_data(sqe, &op);
    if (linked) {
      sqe->flags |= IOSQE_IO_LINK;
      auto* ts = reinterpret_cast<__kernel_timespec*>(op.scratch);
      static_assert(sizeof(__kernel_timespec) <= sizeof(op.scratch));
      ts->tv_sec = op.deadline_ns / 1000000000;
      ts->tv_nsec = op.deadline_ns % 1000000000;
      io_uring_sqe* t = io_uring_get_sqe(&ring_);  // get_sqe(2) guaranteed room
      io_uring_prep_link_timeout(t, ts, IORING_TIMEOUT_ABS);
      io_uring_sqe_set_data64(t, kTagLinkTimeout);
    }
    in_flight_.push(op);
  }

  void cancel(io_op& op) noexcept override {
    if (op.state != op_state::pending) return;
    io_uring_sqe* sqe = nullptr;
    try {
      sqe = get_sqe(1);
    } catch (...) {
      return;  // could not get an SQE: the op will complete on its own; drain() retries
    }
    io_uring_prep_cancel64(sqe, reinterpret_cast<std::uint64_t>(&op), 0);
    io_uring_sqe_set_data64(sqe, kTagCancel);
  }

  void poll(op_queue& done) override {
    if (io_uring_sq_ready(&ring_) > 0) {
      submit_pending(true);
    } else if (in_flight_.size() > 0 && (IO_URING_READ_ONCE(*ring_.sq.kflags) & (IORING_SQ_TASKRUN | IORING_SQ_CQ_OVERFLOW))) {
      io_uring_get_events(&ring_);
    }
    reap();
    done.splice(reaped_);
  }

  void wait(std::int64_t deadline_ns, op_queue& done) override {
    if (!reaped_.empty()) return poll(done);  // completions are waiting already: do not block
    arm_wake();
    io_uring_cqe* cqe = nullptr;
    int r;
    if (deadline_ns < 0) {
      r = io_uring_submit_and_wait(&ring_, 1);
    } else {
      timespec now{};
      ::clock_gettime(CLOCK_MONOTONIC, &now);
      std::int64_t rel = deadline_ns - (static_cast<std::int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec);
      if (rel < 0) rel = 0;
      __kernel_timespec ts{rel / 1000000000, rel % 1000000000};
      r = io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
    }
    if (r < 0 && r != -ETIME && r != -EINTR && r != -EAGAIN && r != -EBUSY) throw_errno(r, "io_uring wait");
    reap();
    done.splice(reaped_);
  }

  void wake() noexcept override {
    std::uint64_t one = 1;
    ssize_t n = ::write(wake_fd_, &one, sizeof one);
    (void)n;  // EAGAIN means the counter is saturated: a wake-up is pending anyway
  }

  void drain(op_queue& done) noexcept override {
    // cancel() may flush the SQ and reap, which unlinks completed ops: walk a snapshot.
    std::vector<io_op*> ops;
    try {
      for (io_op* op = in_flight_.front(); op; op = op->next) ops.push_back(op);
    } catch (...) {
      ops.clear();  // out of memory: cancel what the list still holds, one at a time below
    }
    for (io_op* op : ops) {
      op->cancel_requested = true;
      cancel(*op);  // a no-op for ops that completed meanwhile (state is done)
    }
    while (in_flight_.size() > 0) {
      if (ops.empty())
        for (io_op* op = in_flight_.front(); op; op = op->next)
          if (!op->cancel_requested) {
            op->cancel_requested = true;
            cancel(*op);
            break;
          }
      int r = io_uring_submit_and_wait(&ring_, 1);
      if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY && r != -ETIME) break;  // ring unusable
      try {
        reap();
      } catch (...) {
        break;
      }
    }
    done.splice(reaped_);
  }

 private:
  // The IORING_OP_* that each op_code is submitted as; the probe requires exactly these (plus the
  // internal ones), so a kernel is refused only for an operation corio really uses.
  static constexpr int opcode_of(op_code c) noexcept {
    switch (c) {
      case op_code::nop: return IORING_OP_NOP;
      case op_code::read:
      case op_code::read_at: return IORING_OP_READ;
      case op_code::write_at: return IORING_OP_WRITE;
      case op_code::recv: return IORING_OP_RECV;
      case op_code::send: return IORING_OP_SEND;
      case op_code::accept: return IORING_OP_ACCEPT;
      case op_code::connect: return IORING_OP_CONNECT;
      case op_code::recvmsg: return IORING_OP_RECVMSG;
      case op_code::sendmsg: return IORING_OP_SENDMSG;
      case op_code::fsync: return IORING_OP_FSYNC;
      case op_code::openat: return IORING_OP_OPENAT;
      case op_code::poll: return IORING_OP_POLL_ADD;
    }
    return -1;
  }

  bool probe_ops() {
    io_uring_probe* p = io_uring_get_probe_ring(&ring_);
    if (!p) return true;  // probing unsupported (pre-5.6): setup would have failed for what we need
    bool ok = true;
    for (std::size_t c = 0; c < op_code_count; ++c)
      ok = ok && io_uring_opcode_supported(p, opcode_of(static_cast<op_code>(c)));
    // Internal: cancellation, deadlines and the wake-up read (IORING_OP_READ, above).
    for (int op : {IORING_OP_ASYNC_CANCEL, IORING_OP_LINK_TIMEOUT}) ok = ok && io_uring_opcode_supported(p, op);
    io_uring_free_probe(p);
    return ok;
  }

  void prep(io_uring_sqe* sqe, io_op& op) {
    switch (op.code) {
      case op_code::nop: io_uring_prep_nop(sqe); break;
      case op_code::read: io_uring_prep_read(sqe, op.fd, op.buf, op.len, static_cast<__u64>(-1)); break;
      case op_code::recv: io_uring_prep_recv(sqe, op.fd, op.buf, op.len, static_cast<int>(op.flags)); break;
      case op_code::send:
        io_uring_prep_send(sqe, op.fd, op.buf, op.len, static_cast<int>(op.flags | MSG_NOSIGNAL));
        break;
      case op_code::read_at: io_uring_prep_read(sqe, op.fd, op.buf, op.len, op.offset); break;
      case op_code::write_at: io_uring_prep_write(sqe, op.fd, op.buf, op.len, op.offset); break;
      case op_code::accept:
        io_uring_prep_accept(sqe, op.fd, static_cast<sockaddr*>(op.addr), reinterpret_cast<socklen_t*>(op.addrlen),
                             static_cast<int>(op.flags));
        break;
      case op_code::connect:
        io_uring_prep_connect(sqe, op.fd, static_cast<const sockaddr*>(op.addr), static_cast<socklen_t>(op.len));
        break;
      case op_code::recvmsg: io_uring_prep_recvmsg(sqe, op.fd, static_cast<msghdr*>(op.addr), op.flags); break;
      case op_code::sendmsg:
        io_uring_prep_sendmsg(sqe, op.fd, static_cast<const msghdr*>(op.addr), op.flags | MSG_NOSIGNAL);
        break;
      case op_code::fsync: io_uring_prep_fsync(sqe, op.fd, op.flags ? IORING_FSYNC_DATASYNC : 0); break;
      case op_code::openat:
        io_uring_prep_openat(sqe, AT_FDCWD, static_cast<const char*>(op.addr), static_cast<int>(op.flags),
                             static_cast<mode_t>(op.len));
        break;
      case op_code::poll: io_uring_prep_poll_add(sqe, op.fd, op.flags); break;
    }
  }

  // An SQE with room for `n` consecutive ones (flushing the SQ to the kernel if needed).
  io_uring_sqe* get_sqe(unsigned n) {
    if (io_uring_sq_space_left(&ring_) < n) submit_pending(false);
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (!sqe) throw_errno(-EBUSY, "io_uring: submission queue full");
    return sqe;
  }

  // Hands the SQ to the kernel. EBUSY/EAGAIN (completion backlog, transient kernel memory): reap
  // completions to make room, then retry.
  void submit_pending(bool get_events) {
    for (int attempt = 0; io_uring_sq_ready(&ring_) > 0; ++attempt) {
      int r = get_events ? io_uring_submit_and_get_events(&ring_) : io_uring_submit(&ring_);
      if (r >= 0) continue;
      if (r == -EINTR) continue;
      if ((r == -EBUSY || r == -EAGAIN) && attempt < 1000) {
        reap();
        io_uring_get_events(&ring_);
        reap();
        continue;
      }
      throw_errno(r, "io_uring_submit");
    }
  }

  void arm_wake() {
    if (wake_armed_) return;
    io_uring_sqe* sqe = get_sqe(1);
    io_uring_prep_read(sqe, wake_fd_, &wake_buf_, sizeof wake_buf_, 0);
    io_uring_sqe_set_data64(sqe, kTagWake);
    wake_armed_ = true;
  }


  void reap() {
    for (;;) {
      unsigned head;
      io_uring_cqe* cqe;
      unsigned seen = 0;
      io_uring_for_each_cqe(&ring_, head, cqe) {
        ++seen;
        handle(cqe);
      }
      io_uring_cq_advance(&ring_, seen);
      // Completions the CQ had no room for wait on the kernel's overflow list: flush and go on.
      if (IO_URING_READ_ONCE(*ring_.sq.kflags) & IORING_SQ_CQ_OVERFLOW) {
        io_uring_get_events(&ring_);
        continue;
      }
      if (seen == 0) return;
    }
  }

  void handle(const io_uring_cqe* cqe) noexcept {
    const std::uint64_t ud = cqe->user_data;
    if (ud == LIBURING_UDATA_TIMEOUT) return;
    switch (ud & kTagMask) {
      case 0: break;
      case kTagWake:
        wake_armed_ = false;
        return;
      default: return;  // link timeout or cancel: the op's own CQE says what happened
    }
    auto* op = reinterpret_cast<io_op*>(ud);
    if (cqe->res == -ECANCELED && op->deadline_ns != 0 && !op->cancel_requested) op->timed_out = true;
    in_flight_.erase(*op);
    complete(*op, cqe->res, reaped_);
  }

  io_uring ring_{};
  op_queue reaped_;  // completions reaped and not yet handed back
  in_flight_list in_flight_;
  int wake_fd_ = -1;
  std::uint64_t wake_buf_ = 0;
  bool wake_armed_ = false;
};

}  // namespace

std::unique_ptr<io_backend> make_uring_backend(const runtime_options& opts, std::string& description) {
  return std::make_unique<uring_backend>(opts, description);
}

}  // namespace corio::detail
