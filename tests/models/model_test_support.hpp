// tests/models/model_test_support.hpp - running a model in a test and checking its bookkeeping.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cerrno>
#include <cstdlib>
#include <set>
#include <string>

#include <corio/runtime.hpp>

#include "models/runner.hpp"
#include "test_workloads.hpp"

namespace models_test {

inline corio_models::run_options small_run(std::size_t n, unsigned workers = 0) {
  corio_models::run_options o;
  o.n = n;
  o.workers = workers;
  o.sample_interval_s = 0.01;
  return o;
}

inline corio_models::run_result run(const std::string& model, corio_models::workload& wl, const corio_models::run_options& o) {
  auto m = corio_models::make_model(model);
  return corio_models::run_model(*m, wl, o, /*keep_records=*/true);
}

// No child of this process is left, not even a zombie.
inline bool no_children_left() {
  errno = 0;
  return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

// Every task ran exactly once (by the workload's own count), succeeded, and was recorded once.
inline void check_all_ran_once(counting_workload& wl, const corio_models::run_result& r, std::size_t n) {
  CHECK(r.complete);
  CHECK(r.started == n);
  CHECK(r.done == n);
  CHECK(r.failed == 0);
  CHECK(r.duplicates == 0);
  std::size_t wrong_count = 0, bad_record = 0;
  for (std::size_t i = 0; i < n; ++i) {
    wrong_count += wl.counts[i].load() != 1;
    const auto& rec = r.records[i];
    bad_record += rec.state != corio_models::task_state::ok || rec.value != i * 7 + 1 || rec.runs != 1 ||
                  rec.end_ns < rec.start_ns || rec.start_ns < r.t0_ns;
  }
  CHECK(wrong_count == 0);
  CHECK(bad_record == 0);
  CHECK(no_children_left());
}

// The coroutine model for backend B, or a skip (exit 77) when B is unavailable here.
template <class B>
std::string coroutine_model_for() {
  return B::kind == corio::backend_kind::io_uring ? "coroutine-uring" : "coroutine-asio";
}

inline void skip_if_backend_unavailable(const corio_models::run_result& r) {
  if (r.stopped_by == corio_models::stop_kind::error && r.stop_detail.find("unavailable") != std::string::npos) {
    std::fprintf(stderr, "SKIP: %s\n", r.stop_detail.c_str());
    std::exit(77);
  }
}

}  // namespace models_test
