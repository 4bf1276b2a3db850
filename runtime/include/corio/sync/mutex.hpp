// corio/sync/mutex.hpp - corio::mutex: mutual exclusion between tasks across suspension points.
//
// What it does: `auto lock = co_await m.lock();` waits until the mutex is free and returns a guard
// that unlocks on destruction. FIFO: the lock is handed to waiters in arrival order.
// Which thread resumes you: the runtime's thread. Belongs to one runtime; not thread-safe.
// Cancellation: a cancelled waiter leaves the queue without the lock and throws operation_aborted.
#pragma once

#include <corio/sync/semaphore.hpp>

namespace corio {

class mutex {
 public:
  mutex() = default;
  mutex(const mutex&) = delete;
  mutex& operator=(const mutex&) = delete;

  using guard = semaphore::permit_guard;

  [[nodiscard]] semaphore::permit_awaiter lock() noexcept { return sem_.permit(); }
  // Takes the lock if it is free and nobody waits; the guard is empty otherwise.
  guard try_lock() noexcept { return sem_.try_acquire() ? guard{sem_} : guard{}; }
  bool locked() const noexcept { return sem_.available() == 0; }

 private:
  semaphore sem_{1};
};

}  // namespace corio
