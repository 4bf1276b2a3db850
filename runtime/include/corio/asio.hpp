// corio/asio.hpp - interop with standalone Asio: await Asio operations from corio tasks.
//
// Needs <asio.hpp> (Debian: libasio-dev) in the including program; corio itself is unchanged.
//
// What it does:
//   asio_context(rt)      the asio::io_context inside a runtime on the Asio backend. Asio objects
//                         created on it (timers, sockets, resolvers, strands, third-party Asio
//                         libraries) complete inside corio's loop, on the runtime's thread.
//                         Throws errc::backend_unavailable on io_uring: pin
//                         runtime_options::backend = backend_kind::asio to use it.
//   corio::use_task       an Asio completion token: `co_await timer.async_wait(corio::use_task)`
//                         inside a corio task starts the operation and suspends the task until it
//                         completes. For `void(error_code, T...)` signatures the result is T (or a
//                         tuple, or nothing); a non-zero error_code is thrown as corio::error.
//                         Operations of any io_context work; those on another thread's context
//                         complete through the runtime's remote queue.
// Which thread resumes you: the runtime's thread.
// Cancellation: cancelling the task emits an Asio terminal cancellation on the operation (Asio's
// per-operation cancellation slots; timers, sockets and most operations support it) and the task
// resumes with errc::operation_aborted when the operation has completed. Only for operations on
// the runtime's own io_context: other contexts live on other threads, so there the task simply
// waits for the operation to finish.
// Lifetime: buffers passed to the Asio operation must live until the co_await returns, as in Asio.
#pragma once

#include <asio.hpp>

#include <coroutine>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>

#include <corio/detail/promise_base.hpp>
#include <corio/detail/scheduler.hpp>
#include <corio/error.hpp>
#include <corio/runtime.hpp>

namespace corio {

namespace detail {
// The runtime's asio::io_context, or nullptr when it does not run on the Asio backend.
void* native_backend_handle(scheduler& s) noexcept;
void add_foreign_backend_ops(scheduler& s, std::ptrdiff_t delta) noexcept;
}  // namespace detail

inline asio::io_context& asio_context(runtime& rt) {
  void* h = detail::native_backend_handle(rt.scheduler());
  if (!h) throw_error(errc::backend_unavailable, "asio_context: the runtime does not run on the Asio backend");
  return *static_cast<asio::io_context*>(h);
}

struct use_task_t {
  constexpr use_task_t() noexcept = default;
};
inline constexpr use_task_t use_task{};

namespace detail {

template <class... Rs>
using asio_result_t = std::conditional_t<sizeof...(Rs) == 0, void,
                                         std::conditional_t<sizeof...(Rs) == 1, std::tuple_element_t<0, std::tuple<Rs..., void>>,
                                                            std::tuple<Rs...>>>;

// The awaiter behind corio::use_task. The completion handler reaches it through a small shared
// record, so a handler that runs after the awaiting frame was destroyed (runtime teardown) finds
// nobody and does nothing.
template <class Initiation, class ArgsTuple, class... Rs>
class asio_op_awaiter final : remote_item, cancel_registration {
  struct record {
    asio_op_awaiter* self;
  };

 public:
  asio_op_awaiter(Initiation init, ArgsTuple args)
      : cancel_registration(&cancelled), init_(std::move(init)), args_(std::move(args)) {
    complete = &completed_remotely;
  }
  asio_op_awaiter(asio_op_awaiter&& o) : asio_op_awaiter(std::move(o.init_), std::move(o.args_)) {}  // before co_await
  asio_op_awaiter(const asio_op_awaiter&) = delete;
  ~asio_op_awaiter() {
    if (rec_) {
      rec_->self = nullptr;
      if (sched_ && pending_) {
        sched_->release_external_ref();
        if (own_context_) add_foreign_backend_ops(*sched_, -1);
      }
    }
  }

  bool await_ready() const noexcept { return false; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    sched_ = &scheduler::current_or_throw();
    if (!arm(slot_of(h))) {
      ec_ = asio::error::operation_aborted;
      aborted_ = true;
      return false;
    }
    waiter_ = h;
    rec_ = std::make_shared<record>(record{this});
    own_context_ = on_runtime_context(native_backend_handle(*sched_));
    sched_->add_external_ref();  // an Asio operation can wake the loop: no deadlock report meanwhile
    if (own_context_) add_foreign_backend_ops(*sched_, 1);
    pending_ = true;
    std::apply([&](auto&&... a) { std::move(init_)(handler{rec_, &signal_}, std::move(a)...); }, std::move(args_));
    return true;
  }
  asio_result_t<Rs...> await_resume() {
    disarm();
    if (ec_ == asio::error::operation_aborted && aborted_) throw_error(errc::operation_aborted, "asio operation");
    if (ec_) throw_error(std::error_code(ec_.value(), ec_.category()), "asio operation");
    if constexpr (sizeof...(Rs) == 1) {
      return std::move(std::get<0>(*results_));
    } else if constexpr (sizeof...(Rs) > 1) {
      return std::move(*results_);
    }
  }

 private:
  struct handler {
    std::shared_ptr<record> rec;
    asio::cancellation_signal* signal;
    using cancellation_slot_type = asio::cancellation_slot;
    cancellation_slot_type get_cancellation_slot() const noexcept { return signal->slot(); }
    void operator()(asio::error_code ec, Rs... rs) {
      asio_op_awaiter* self = rec->self;
      if (!self) return;  // the awaiting frame is gone (runtime teardown)
      self->ec_ = ec;
      if constexpr (sizeof...(Rs) > 0) self->results_.emplace(std::move(rs)...);
      self->finish();
    }
  };

  // Whether the operation runs on the runtime's own io_context (so its completion and its
  // cancellation happen on the runtime's thread). Asio's initiation objects expose the I/O
  // object's executor; an initiation that does not is treated as foreign.
  bool on_runtime_context(void* runtime_ctx) const noexcept {
    if (!runtime_ctx) return false;
    if constexpr (requires { init_.get_executor(); }) {
      return &asio::query(init_.get_executor(), asio::execution::context) == runtime_ctx;
    } else {
      return false;
    }
  }

  void finish() noexcept {
    if (scheduler::current() == sched_) {
      settle();
    } else {
      sched_->post_remote(this);  // completed on another thread's io_context
    }
  }
  void settle() noexcept {
    pending_ = false;
    sched_->release_external_ref();
    if (own_context_) add_foreign_backend_ops(*sched_, -1);
    disarm();
    sched_->schedule(waiter_);
  }
  static void completed_remotely(remote_item* r) noexcept { static_cast<asio_op_awaiter*>(r)->settle(); }
  static void cancelled(cancel_handler* c) noexcept {
    auto* self = static_cast<asio_op_awaiter*>(c);
    self->aborted_ = true;
    if (self->own_context_) self->signal_.emit(asio::cancellation_type::terminal);
  }

  Initiation init_;
  ArgsTuple args_;
  asio::cancellation_signal signal_;
  std::shared_ptr<record> rec_;
  std::optional<std::tuple<Rs...>> results_;
  asio::error_code ec_;
  scheduler* sched_ = nullptr;
  std::coroutine_handle<> waiter_;
  bool pending_ = false;
  bool aborted_ = false;
  bool own_context_ = false;
};

}  // namespace detail
}  // namespace corio

template <class... Rs>
struct asio::async_result<corio::use_task_t, void(asio::error_code, Rs...)> {
  template <class Initiation, class... Args>
  static auto initiate(Initiation&& init, corio::use_task_t, Args&&... args) {
    return corio::detail::asio_op_awaiter<std::decay_t<Initiation>, std::tuple<std::decay_t<Args>...>, std::decay_t<Rs>...>(
        std::forward<Initiation>(init), std::make_tuple(std::forward<Args>(args)...));
  }
};
