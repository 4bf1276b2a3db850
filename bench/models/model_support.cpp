// Pieces shared by the thread and process models (models_impl.hpp).
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <stdexcept>
#include <system_error>

#include "models/models_impl.hpp"

namespace corio_models {

result_msg to_msg(std::size_t i, const task_record& r, std::uint32_t worker) noexcept {
  result_msg m;
  m.index = i;
  m.value = r.value;
  m.start_ns = r.start_ns;
  m.end_ns = r.end_ns;
  m.pid = r.pid;
  m.tid = r.tid;
  m.worker = worker;
  m.state = static_cast<std::uint8_t>(r.state);
  return m;
}

void apply_msg(const result_msg& m, std::span<task_record> records, run_control& ctl) noexcept {
  if (m.index >= records.size()) return;  // garbage: cannot happen with our own children
  task_record& r = records[m.index];
  ++r.runs;
  r.value = m.value;
  r.start_ns = m.start_ns;
  r.end_ns = m.end_ns;
  r.pid = m.pid;
  r.tid = m.tid;
  r.state = m.state == static_cast<std::uint8_t>(task_state::ok) ? task_state::ok : task_state::failed;
  count_task(ctl, r);
}

bool write_all(int fd, const void* p, std::size_t n) noexcept {
  const char* c = static_cast<const char*>(p);
  while (n > 0) {
    ssize_t w = ::write(fd, c, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    c += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

void child_die_with_parent(pid_t parent) noexcept {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(120);  // the parent died before prctl took effect
}

thread_attr::thread_attr(std::size_t stack) {
  if (int rc = pthread_attr_init(&a)) throw std::system_error(rc, std::system_category(), "pthread_attr_init");
  if (stack) {
    if (int rc = pthread_attr_setstacksize(&a, stack)) {
      pthread_attr_destroy(&a);
      throw std::system_error(rc, std::system_category(), "pthread_attr_setstacksize");
    }
  }
}

thread_attr::~thread_attr() { pthread_attr_destroy(&a); }

void mark_lost(task_record& rec, run_control& ctl) noexcept {
  if (rec.state == task_state::failed) return;
  const bool counted_ok = rec.state == task_state::ok;
  rec.state = task_state::failed;
  if (counted_ok) ctl.done.fetch_sub(1, std::memory_order_relaxed);
  ctl.failed.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace corio_models
