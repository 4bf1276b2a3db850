// corio/detail/ring.hpp - a growable FIFO ring buffer of trivially copyable values.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>

namespace corio::detail {

template <class T>
class ring {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  ring() = default;
  ring(const ring&) = delete;
  ring& operator=(const ring&) = delete;
  ~ring() { std::free(buf_); }

  bool empty() const noexcept { return head_ == tail_; }
  std::size_t size() const noexcept { return tail_ - head_; }

  void push_back(T v) {
    if (tail_ - head_ == cap_) grow();
    buf_[tail_++ & (cap_ - 1)] = v;
  }
  T pop_front() noexcept { return buf_[head_++ & (cap_ - 1)]; }
  void clear() noexcept { head_ = tail_ = 0; }

 private:
  void grow() {
    std::size_t ncap = cap_ ? cap_ * 2 : 256;
    T* nbuf = static_cast<T*>(std::malloc(ncap * sizeof(T)));
    if (!nbuf) throw std::bad_alloc();
    for (std::size_t i = 0, n = size(); i < n; ++i) nbuf[i] = buf_[(head_ + i) & (cap_ - 1)];
    std::size_t n = size();
    std::free(buf_);
    buf_ = nbuf;
    cap_ = ncap;
    head_ = 0;
    tail_ = n;
  }

  T* buf_ = nullptr;
  std::size_t cap_ = 0;  // zero or a power of two
  std::size_t head_ = 0;
  std::size_t tail_ = 0;
};

}  // namespace corio::detail
