// bench/models/models_impl.hpp - constructors of the models (private to the library) and the
// pieces the thread and process models share.
#pragma once

#include <pthread.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>

#include <corio/runtime.hpp>

#include "models/model.hpp"

namespace corio_models {

std::unique_ptr<model> make_sequential_model();
std::unique_ptr<model> make_coroutine_model(corio::backend_kind kind, bool offload);
std::unique_ptr<model> make_thread_model();
std::unique_ptr<model> make_process_model();
std::unique_ptr<model> make_thread_pool_model();
std::unique_ptr<model> make_process_pool_model();

// The fixed-size report a child process sends for one task over a pipe. Smaller than PIPE_BUF,
// so writes from many children never interleave.
struct result_msg {
  std::uint64_t index = 0;
  std::uint64_t value = 0;
  std::int64_t start_ns = 0, end_ns = 0;
  std::int32_t pid = 0, tid = 0;
  std::uint32_t worker = 0;  // process pool: the worker slot
  std::uint8_t state = 0;
  std::uint8_t pad[3] = {};
};
static_assert(sizeof(result_msg) == 48);

result_msg to_msg(std::size_t i, const task_record& r, std::uint32_t worker = 0) noexcept;
// Applies a message to its record (counting duplicates) and the progress counters.
void apply_msg(const result_msg& m, std::span<task_record> records, run_control& ctl) noexcept;

// Writes all of [p, p+n) (retrying EINTR and short writes); false on error.
bool write_all(int fd, const void* p, std::size_t n) noexcept;

// In a freshly forked child: die with the parent (PR_SET_PDEATHSIG), so that a crashing parent
// leaves no orphan behind.
void child_die_with_parent(pid_t parent) noexcept;

// pthread attributes with the run's stack size (0: default).
struct thread_attr {
  explicit thread_attr(std::size_t stack);
  ~thread_attr();
  thread_attr(const thread_attr&) = delete;
  thread_attr& operator=(const thread_attr&) = delete;
  pthread_attr_t a;
};

// Marks a task that has no result (its process died first) as failed.
void mark_lost(task_record& rec, run_control& ctl) noexcept;

}  // namespace corio_models
