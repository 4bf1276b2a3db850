// Model registry and the helpers every model shares (model.hpp).
#include <unistd.h>

#include <stdexcept>

#include "models/model.hpp"
#include "models/models_impl.hpp"

namespace corio_models {

void run_task_blocking(workload& wl, std::size_t i, task_record& rec) noexcept {
  rec.pid = static_cast<std::int32_t>(getpid());
  rec.tid = static_cast<std::int32_t>(gettid());
  rec.start_ns = mono_ns();
  try {
    rec.value = wl.run_blocking(i);
    rec.state = wl.valid_result(i, rec.value) ? task_state::ok : task_state::failed;
  } catch (...) {
    rec.state = task_state::failed;
  }
  rec.end_ns = mono_ns();
  ++rec.runs;
}

void count_task(run_control& ctl, const task_record& rec) noexcept {
  if (rec.state == task_state::ok)
    ctl.done.fetch_add(1, std::memory_order_relaxed);
  else
    ctl.failed.fetch_add(1, std::memory_order_relaxed);
}

std::unique_ptr<model> make_model(const std::string& name) {
  if (name == "sequential") return make_sequential_model();
  if (name == "coroutine") return make_coroutine_model(corio::backend_kind::automatic, false);
  if (name == "coroutine-uring" || name == "coroutine-io_uring") return make_coroutine_model(corio::backend_kind::io_uring, false);
  if (name == "coroutine-asio") return make_coroutine_model(corio::backend_kind::asio, false);
  if (name == "coroutine-offload") return make_coroutine_model(corio::backend_kind::automatic, true);
  if (name == "threads" || name == "thread-per-task") return make_thread_model();
  if (name == "processes" || name == "process-per-task") return make_process_model();
  if (name == "thread-pool") return make_thread_pool_model();
  if (name == "process-pool") return make_process_pool_model();
  std::string known;
  for (auto& n : model_names()) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown model '" + name + "' (known: " + known + ")");
}

std::vector<std::string> model_names() {
  return {"sequential", "coroutine", "coroutine-uring", "coroutine-asio", "coroutine-offload",
          "threads",    "processes", "thread-pool",     "process-pool"};
}

unsigned default_workers(const std::string& name) {
  const unsigned cpus = read_limits().cpus;
  if (name == "thread-pool") return 32;         // Python's ThreadPoolExecutor caps its default at 32
  if (name == "process-pool") return 2 * cpus;  // the blog's Pool(4) on a 2-core machine
  if (name == "coroutine-offload") return cpus;
  return 1;
}

}  // namespace corio_models
