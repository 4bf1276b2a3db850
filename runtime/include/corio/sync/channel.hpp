// corio/sync/channel.hpp - corio::channel<T>: a bounded FIFO queue between tasks.
//
// What it does: `co_await ch.send(v)` enqueues v, waiting while the channel holds `capacity`
// values; `co_await ch.receive()` dequeues one, waiting while it is empty, and yields std::nullopt
// once the channel is closed and drained. Capacity 0 is a rendezvous: send waits for a receiver.
// Values are handed directly to a waiting receiver. close() wakes everyone: pending and later
// sends throw corio::error(errc::closed); receives drain what is buffered, then yield nullopt.
// Which thread resumes you: the runtime's thread. Belongs to one runtime; not thread-safe.
// Cancellation: a cancelled sender or receiver leaves its queue and throws operation_aborted; a
// cancelled sender's value is not enqueued, a value already handed to a receiver is not lost.
#pragma once

#include <coroutine>
#include <cstddef>
#include <deque>
#include <optional>
#include <utility>

#include <corio/detail/wait_queue.hpp>
#include <corio/error.hpp>

namespace corio {

template <class T>
class channel {
  struct send_node : detail::wait_node {
    T* value = nullptr;
    bool closed = false;
  };
  struct recv_node : detail::wait_node {
    std::optional<T> value;
  };

 public:
  explicit channel(std::size_t capacity) : capacity_(capacity) {}
  channel(const channel&) = delete;
  channel& operator=(const channel&) = delete;

  std::size_t capacity() const noexcept { return capacity_; }
  std::size_t size() const noexcept { return buf_.size(); }
  bool closed() const noexcept { return closed_; }

  // Enqueues without waiting. False when full or closed (v is then left untouched).
  bool try_send(T& v) {
    if (closed_) return false;
    if (auto* r = static_cast<recv_node*>(receivers_.front())) {
      r->value.emplace(std::move(v));
      receivers_.wake_one();
      return true;
    }
    if (buf_.size() < capacity_) {
      buf_.push_back(std::move(v));
      return true;
    }
    return false;
  }
  // Dequeues without waiting; nullopt when nothing is available.
  std::optional<T> try_receive() {
    if (!buf_.empty()) {
      std::optional<T> v(std::move(buf_.front()));
      buf_.pop_front();
      refill_from_sender();
      return v;
    }
    if (auto* s = static_cast<send_node*>(senders_.front())) {  // rendezvous
      std::optional<T> v(std::move(*s->value));
      senders_.wake_one();
      return v;
    }
    return std::nullopt;
  }

  void close() noexcept {
    if (closed_) return;
    closed_ = true;
    while (auto* s = static_cast<send_node*>(senders_.front())) {
      s->closed = true;
      senders_.wake_one();
    }
    receivers_.wake_all();  // they find the buffer empty (or drain it) and see the close
  }

  class send_awaiter {
   public:
    send_awaiter(channel& c, T v) : c_(c), v_(std::move(v)) {}
    send_awaiter(send_awaiter&& o) : c_(o.c_), v_(std::move(o.v_)) {}  // before being awaited only
    bool await_ready() {
      if (c_.closed_) return true;
      return done_ = c_.try_send(v_);
    }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) noexcept {
      node_.value = &v_;
      return c_.senders_.enqueue(node_, h);
    }
    void await_resume() const {
      if (node_.aborted) throw_error(errc::operation_aborted, "channel::send");
      if (!done_ && (node_.closed || (c_.closed_ && !node_.waiter))) throw_error(errc::closed, "channel::send");
    }

   private:
    channel& c_;
    T v_;
    send_node node_;
    bool done_ = false;
  };

  class receive_awaiter {
   public:
    explicit receive_awaiter(channel& c) noexcept : c_(c) {}
    receive_awaiter(receive_awaiter&& o) noexcept : c_(o.c_) {}  // before being awaited only
    bool await_ready() {
      node_.value = c_.try_receive();
      return node_.value.has_value() || c_.closed_;
    }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) noexcept {
      return c_.receivers_.enqueue(node_, h);
    }
    std::optional<T> await_resume() {
      if (node_.aborted) throw_error(errc::operation_aborted, "channel::receive");
      if (!node_.value) node_.value = c_.try_receive();  // woken by close(): drain what is left
      return std::move(node_.value);
    }

   private:
    channel& c_;
    recv_node node_;
  };

  [[nodiscard]] send_awaiter send(T v) { return send_awaiter{*this, std::move(v)}; }
  [[nodiscard]] receive_awaiter receive() noexcept { return receive_awaiter{*this}; }

 private:
  // After a value left the buffer: move the longest-waiting sender's value in and wake it.
  void refill_from_sender() {
    if (buf_.size() >= capacity_) return;
    if (auto* s = static_cast<send_node*>(senders_.front())) {
      buf_.push_back(std::move(*s->value));
      senders_.wake_one();
    }
  }

  std::size_t capacity_;
  std::deque<T> buf_;
  bool closed_ = false;
  detail::wait_queue senders_;
  detail::wait_queue receivers_;
};

}  // namespace corio
