// Every execution model runs a small workload correctly: every task exactly once, results kept,
// on the threads/processes the model promises, with nothing left behind.
#include <doctest/doctest.h>

#include <set>

#include "model_test_support.hpp"
#include "support/backends.hpp"

using namespace models_test;
using corio_models::task_state;

TEST_SUITE("models") {
  TEST_CASE("sequential runs every task once on the calling thread") {
    counting_workload wl(20, std::chrono::milliseconds(2));
    auto r = run("sequential", wl, small_run(20));
    check_all_ran_once(wl, r, 20);
    for (auto& rec : r.records) CHECK(rec.tid == gettid());
    // One after the other: each task starts after the previous one ended.
    for (std::size_t i = 1; i < r.records.size(); ++i) CHECK(r.records[i].start_ns >= r.records[i - 1].end_ns);
  }

  TEST_CASE("threads runs every task once, each on its own thread") {
    counting_workload wl(50);
    auto r = run("threads", wl, small_run(50));
    check_all_ran_once(wl, r, 50);
    std::set<int> tids;
    for (auto& rec : r.records) {
      CHECK(rec.pid == getpid());
      tids.insert(rec.tid);
    }
    CHECK(tids.size() == 50);
    CHECK(r.m.threads_peak >= 2);  // the sampler saw the extra threads
  }

  TEST_CASE("processes runs every task once, each in its own child process") {
    counting_workload wl(40);
    auto r = run("processes", wl, small_run(40));
    check_all_ran_once(wl, r, 40);
    std::set<int> pids;
    for (auto& rec : r.records) pids.insert(rec.pid);
    CHECK(pids.size() == 40);
    CHECK(pids.count(getpid()) == 0);
  }

  TEST_CASE("thread-pool runs every task once on at most T threads") {
    counting_workload wl(60);
    auto r = run("thread-pool", wl, small_run(60, 4));
    check_all_ran_once(wl, r, 60);
    std::set<int> tids;
    for (auto& rec : r.records) tids.insert(rec.tid);
    CHECK(tids.size() <= 4);
    CHECK(r.concurrency == 4);
  }

  TEST_CASE("process-pool runs every task once in at most P child processes") {
    counting_workload wl(60);
    auto r = run("process-pool", wl, small_run(60, 3));
    check_all_ran_once(wl, r, 60);
    std::set<int> pids;
    for (auto& rec : r.records) pids.insert(rec.pid);
    CHECK(pids.size() <= 3);
    CHECK(pids.count(getpid()) == 0);
    CHECK(r.json().str().find("\"workers_died\":0") != std::string::npos);
  }

  TEST_CASE_TEMPLATE("coroutine models run every task once, all on one thread", B, CORIO_BACKENDS) {
    counting_workload wl(200);
    auto r = run(coroutine_model_for<B>(), wl, small_run(200));
    skip_if_backend_unavailable(r);
    check_all_ran_once(wl, r, 200);
    for (auto& rec : r.records) CHECK(rec.tid == gettid());
    CHECK(r.json().str().find(std::string("\"backend\":\"") + B::name + "\"") != std::string::npos);
  }

  TEST_CASE("coroutine-offload runs the blocking form of every task once on corio's pool") {
    counting_workload wl(16);
    auto r = run("coroutine-offload", wl, small_run(16, 4));
    check_all_ran_once(wl, r, 16);
    for (auto& rec : r.records) CHECK(rec.tid != gettid());
  }

  TEST_CASE("zero tasks is a complete, empty run for every model") {
    for (const auto& name : corio_models::model_names()) {
      CAPTURE(name);
      counting_workload wl(0);
      auto r = run(name, wl, small_run(0, 2));
      if (r.stopped_by == corio_models::stop_kind::error) continue;  // a backend unavailable here
      CHECK(r.complete);
      CHECK(r.started == 0);
      CHECK(no_children_left());
    }
  }

  TEST_CASE("unknown names are refused with the list of known ones") {
    CHECK_THROWS_WITH_AS(corio_models::make_model("fibers"), doctest::Contains("thread-pool"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(corio_models::make_workload("nap", {}), doctest::Contains("sleep"), std::invalid_argument);
    corio_models::workload_params p;
    p.sleep_ms = -1;
    CHECK_THROWS_AS(corio_models::make_workload("sleep", p), std::invalid_argument);
  }

  TEST_CASE("the library's workloads: sleep returns its index, cpu is deterministic") {
    corio_models::workload_params p;
    p.sleep_ms = 1;
    p.iterations = 1000;
    auto s = corio_models::make_workload("sleep", p);
    CHECK(s->run_blocking(7) == 7);
    CHECK(s->valid_result(7, 7));
    CHECK_FALSE(s->valid_result(7, 8));
    auto c = corio_models::make_workload("cpu", p);
    CHECK(c->run_blocking(3) == corio_models::cpu_chain(3, 1000));
    CHECK(corio_models::cpu_chain(3, 1000) != corio_models::cpu_chain(4, 1000));
    CHECK(corio_models::cpu_chain(3, 1000) != corio_models::cpu_chain(3, 1001));
    // Every model computes the same results for the cpu workload.
    for (const char* m : {"sequential", "threads", "processes", "thread-pool", "process-pool", "coroutine"}) {
      CAPTURE(m);
      auto r = run(m, *c, small_run(6, 2));
      REQUIRE(r.complete);
      for (std::size_t i = 0; i < 6; ++i) CHECK(r.records[i].value == corio_models::cpu_chain(i, 1000));
    }
  }
}
