// The one measurement path counts what it promises: memory, CPU and context switches of child
// processes and threads, latencies, and one JSON line per run.
#include <doctest/doctest.h>

#include <string>

#include "model_test_support.hpp"
#include "support/backends.hpp"

using namespace models_test;

namespace {
constexpr long long MiB = 1 << 20;
}

TEST_SUITE("models: metrics") {
  TEST_CASE("a child that touches 100 MiB shows up in peak memory (process per task and pool)") {
    for (const char* m : {"processes", "process-pool"}) {
      CAPTURE(m);
      allocating_workload wl(100 * MiB);
      auto r = run(m, wl, small_run(1, 1));
      REQUIRE(r.complete);
      CHECK(r.m.mem_children_at_peak >= 95 * MiB);
      CHECK(r.m.mem_peak >= 95 * MiB);
      CHECK(r.m.children_sampled >= 1);
      CHECK(r.m.children_maxrss_kb >= 95 * 1024);  // the reaped child's own peak RSS agrees
    }
  }

  TEST_CASE("a thread that touches 100 MiB shows up in this process's memory") {
    allocating_workload wl(100 * MiB);
    auto r = run("threads", wl, small_run(1));
    REQUIRE(r.complete);
    CHECK(r.m.mem_self_at_peak >= 95 * MiB);
    CHECK(r.m.mem_children_at_peak == 0);
  }

  TEST_CASE("CPU time of children is counted") {
    for (const char* m : {"processes", "process-pool", "threads"}) {
      CAPTURE(m);
      burning_workload wl(0.2);
      auto r = run(m, wl, small_run(2, 2));
      REQUIRE(r.complete);
      CHECK(r.m.user_s + r.m.sys_s >= 0.35);
      if (std::string(m) != "threads") CHECK(r.m.children_user_s + r.m.children_sys_s >= 0.35);
    }
  }

  TEST_CASE("voluntary context switches of threads and children are counted") {
    for (const char* m : {"threads", "processes"}) {
      CAPTURE(m);
      counting_workload wl(10, std::chrono::milliseconds(5));
      auto r = run(m, wl, small_run(10));
      REQUIRE(r.complete);
      CHECK(r.m.vcsw >= 10);  // each task sleeps once
    }
  }

  TEST_CASE_TEMPLATE("latencies: from the run's start, and from each task's own start", B, CORIO_BACKENDS) {
    counting_workload wl(20, std::chrono::milliseconds(20));
    auto r = run(coroutine_model_for<B>(), wl, small_run(20));
    skip_if_backend_unavailable(r);
    REQUIRE(r.complete);
    CHECK(r.lat.own_p50_s >= 0.02);
    CHECK(r.lat.p50_s >= r.lat.own_p50_s);
    CHECK(r.lat.p99_s >= r.lat.p50_s);
    CHECK(r.lat.start_p50_s >= 0);
    CHECK(r.ideal_s == doctest::Approx(0.02));
    CHECK(r.m.wall_s >= 0.02);
  }

  TEST_CASE("one JSON line per run with the figures") {
    counting_workload wl(3, std::chrono::milliseconds(1));
    auto r = run("thread-pool", wl, small_run(3, 2));
    const std::string j = r.json().str();
    CHECK(j.front() == '{');
    CHECK(j.back() == '}');
    CHECK(j.find('\n') == std::string::npos);
    for (const char* k : {"\"model\":\"thread-pool\"", "\"workload\":\"counting\"", "\"n\":3", "\"done\":3", "\"complete\":true",
                          "\"wall_s\":", "\"cpu_s\":", "\"vcsw\":", "\"ivcsw\":", "\"mem_peak_bytes\":", "\"lat_p99_s\":",
                          "\"task_p99_s\":", "\"walls\":[", "\"workers\":2"})
      CHECK_MESSAGE(j.find(k) != std::string::npos, k);
  }
}
