// Failure injection: a task that throws, or a child that exits non-zero, is reported as failed,
// and every other task still runs and is collected.
#include <doctest/doctest.h>

#include <cstdlib>

#include "model_test_support.hpp"
#include "support/backends.hpp"

using namespace models_test;
using corio_models::task_state;

namespace {
// Tasks 2, 7, 12, 17 fail; the other 16 succeed, each exactly once.
void check_injected(counting_workload& wl, const corio_models::run_result& r) {
  CHECK_FALSE(r.complete);
  CHECK(r.started == 20);
  CHECK(r.done == 16);
  CHECK(r.failed == 4);
  CHECK(r.duplicates == 0);
  for (std::size_t i = 0; i < 20; ++i) {
    CAPTURE(i);
    CHECK(wl.counts[i].load() == 1);
    CHECK(r.records[i].state == (i % 5 == 2 ? task_state::failed : task_state::ok));
  }
  CHECK(r.stopped_by == corio_models::stop_kind::none);  // failures do not stop a run
  CHECK(no_children_left());
}

counting_workload& failing(counting_workload& wl, bool exit_instead = false) {
  wl.fail_every = 5;
  wl.fail_at = 2;
  wl.exit_instead = exit_instead;
  return wl;
}
}  // namespace

TEST_SUITE("models: failures") {
  TEST_CASE("a throwing task fails alone: sequential, threads, thread-pool, processes, process-pool") {
    for (const char* m : {"sequential", "threads", "thread-pool", "processes", "process-pool"}) {
      CAPTURE(m);
      counting_workload wl(20);
      check_injected(wl, run(m, failing(wl), small_run(20, 3)));
    }
  }

  TEST_CASE_TEMPLATE("a throwing coroutine task fails alone", B, CORIO_BACKENDS) {
    counting_workload wl(20);
    auto r = run(coroutine_model_for<B>(), failing(wl), small_run(20));
    skip_if_backend_unavailable(r);
    check_injected(wl, r);
  }

  TEST_CASE("a child process that exits non-zero is a failed task and the others finish") {
    counting_workload wl(20);
    auto r = run("processes", failing(wl, true), small_run(20));
    check_injected(wl, r);
    CHECK(r.json().str().find("\"children_failed_exit\":4") != std::string::npos);
  }

  TEST_CASE("a pool worker that dies loses only its task and is replaced") {
    counting_workload wl(20);
    auto r = run("process-pool", failing(wl, true), small_run(20, 2));
    check_injected(wl, r);
    const std::string j = r.json().str();
    CHECK(j.find("\"workers_died\":4") != std::string::npos);
    // 2 workers + one replacement per death while tasks remain: after the death on task 17 the
    // last tasks may all have gone to the other worker already.
    const auto at = j.find("\"workers_forked\":");
    REQUIRE(at != std::string::npos);
    const long forked = std::strtol(j.c_str() + at + 17, nullptr, 10);
    CHECK(forked >= 5);
    CHECK(forked <= 6);
  }

  TEST_CASE("a wrong result counts as a failure") {
    struct liar : counting_workload {
      liar() : counting_workload(4, std::chrono::milliseconds(1)) {}
      std::uint64_t run_blocking(std::size_t i) override { return counting_workload::run_blocking(i) + (i == 1); }
    } wl;
    auto r = run("threads", wl, small_run(4));
    CHECK(r.done == 3);
    CHECK(r.failed == 1);
    CHECK(r.records[1].state == task_state::failed);
  }
}
