// Hitting a limit is reported, not fatal: RLIMIT_NPROC (in a child that dropped from root, which
// RLIMIT_NPROC does not bind, to an unprivileged uid), the run's own budgets (time, memory, live
// tasks), and the arithmetic of budgets and walls.
#include <doctest/doctest.h>

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "model_test_support.hpp"

using namespace models_test;
using corio_models::stop_kind;

namespace {

struct limit_report {
  std::size_t started = 0, done = 0, failed = 0, n = 0;
  int stopped_by = -1;
  bool complete = false, no_children = false;
  char detail[400] = {};
  char json[600] = {};
};

// Runs `model` on `n` tasks in a child process that runs as an otherwise unused uid with
// RLIMIT_NPROC set to what that uid uses (the child itself) plus `headroom`, and returns what the
// run reported. Not uid nobody: RLIMIT_NPROC counts every task of the uid on the machine, so two
// such tests running at once (ctest -j) as nobody would eat each other's headroom.
limit_report run_unprivileged_with_nproc(const char* model, std::size_t n, long headroom, unsigned workers = 0) {
  if (geteuid() != 0) {
    std::fprintf(stderr, "SKIP: needs root to switch to an unprivileged uid\n");
    std::exit(77);
  }
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t p = fork();
  REQUIRE(p >= 0);
  if (p == 0) {
    close(fds[0]);
    limit_report rep;
    const uid_t uid = 200000 + static_cast<uid_t>(getpid()) % 100000;  // unused, unique per test process
    if (setgid(65534) != 0 || setuid(uid) != 0) _exit(10);
    prctl(PR_SET_DUMPABLE, 1);  // keep /proc/<child> readable for the sampler after setuid
    const auto lim = corio_models::read_limits();  // counts the uid's tasks now (this one)
    rlimit rl{static_cast<rlim_t>(lim.user_tasks + headroom), static_cast<rlim_t>(lim.user_tasks + headroom)};
    if (setrlimit(RLIMIT_NPROC, &rl) != 0) _exit(11);
    counting_workload wl(n, std::chrono::milliseconds(300));
    auto o = small_run(n, workers);
    auto r = run(model, wl, o);
    rep.started = r.started;
    rep.done = r.done;
    rep.failed = r.failed;
    rep.n = n;
    rep.stopped_by = static_cast<int>(r.stopped_by);
    rep.complete = r.complete;
    rep.no_children = no_children_left();
    std::snprintf(rep.detail, sizeof rep.detail, "%s", r.stop_detail.c_str());
    std::snprintf(rep.json, sizeof rep.json, "%s", r.json().str().c_str());
    ssize_t w = write(fds[1], &rep, sizeof rep);
    _exit(w == static_cast<ssize_t>(sizeof rep) ? 0 : 12);
  }
  close(fds[1]);
  limit_report rep;
  std::size_t got = 0;
  while (got < sizeof rep) {
    ssize_t r = read(fds[0], reinterpret_cast<char*>(&rep) + got, sizeof rep - got);
    if (r <= 0) break;
    got += static_cast<std::size_t>(r);
  }
  close(fds[0]);
  int st = 0;
  REQUIRE(waitpid(p, &st, 0) == p);
  CHECK(WIFEXITED(st));
  CHECK(WEXITSTATUS(st) == 0);
  REQUIRE(got == sizeof rep);
  return rep;
}

}  // namespace

TEST_SUITE("models: limits") {
  TEST_CASE("threads at RLIMIT_NPROC: stops, joins what it started, names the limit") {
    // Headroom 6: the sampler thread and five task threads.
    auto rep = run_unprivileged_with_nproc("threads", 64, 6);
    CAPTURE(rep.detail);
    CHECK(rep.stopped_by == static_cast<int>(stop_kind::limit));
    CHECK(rep.started >= 1);
    CHECK(rep.started < 64);
    CHECK(rep.done == rep.started);  // every started task finished
    CHECK(rep.failed == 0);
    CHECK(std::string(rep.detail).find("EAGAIN") != std::string::npos);
    CHECK(std::string(rep.detail).find("RLIMIT_NPROC") != std::string::npos);
  }

  TEST_CASE("processes at RLIMIT_NPROC: stops, reaps every child, names the limit") {
    auto rep = run_unprivileged_with_nproc("processes", 64, 6);
    CAPTURE(rep.detail);
    CHECK(rep.stopped_by == static_cast<int>(stop_kind::limit));
    CHECK(rep.started >= 1);
    CHECK(rep.started < 64);
    CHECK(rep.done == rep.started);
    CHECK(rep.no_children);
    CHECK(std::string(rep.detail).find("fork") != std::string::npos);
    CHECK(std::string(rep.detail).find("RLIMIT_NPROC") != std::string::npos);
  }

  TEST_CASE("a process pool at RLIMIT_NPROC runs every task with the workers it could fork") {
    auto rep = run_unprivileged_with_nproc("process-pool", 12, 3, 8);
    CAPTURE(rep.json);
    CHECK(rep.complete);
    CHECK(rep.done == 12);
    CHECK(rep.no_children);
    const std::string j = rep.json;
    CHECK(j.find("\"workers_forked\":8") == std::string::npos);  // it could not fork all 8
    CHECK(j.find("\"workers_forked\":0") == std::string::npos);
  }

  TEST_CASE("the time budget stops a pool: it starts nothing more and finishes what it started") {
    counting_workload wl(100000, std::chrono::milliseconds(5));
    auto o = small_run(100000, 2);
    o.time_budget_s = 0.2;
    auto r = run("thread-pool", wl, o);
    CHECK(r.stopped_by == stop_kind::budget);
    CHECK(r.stop_detail.find("time") != std::string::npos);
    CHECK(r.started > 0);
    CHECK(r.started < 100000);
    CHECK(r.done == r.started);
    CHECK_FALSE(r.complete);
    std::size_t ran = 0;
    for (std::size_t i = 0; i < 100000; ++i) ran += wl.counts[i].load();
    CHECK(ran == r.started);
  }

  TEST_CASE("the memory budget stops a run once the sampler sees it exceeded") {
    // Each task keeps 8 MiB and waits until the sampler has seen it: the budget of 40 MiB is
    // exceeded after the 5th or 6th task (earlier under ASan, whose shadow and allocator add to
    // every allocation), and the run stops there, well before the 12th.
    allocating_workload wl(8 << 20, /*keep=*/true);
    auto o = small_run(12);
    o.memory_budget = 40LL << 20;
    auto r = run("sequential", wl, o);
    CAPTURE(r.stop_detail);
    CHECK(r.stopped_by == stop_kind::budget);
    CHECK(r.stop_detail.find("memory") != std::string::npos);
    CHECK(r.started >= 3);
    CHECK(r.started <= 7);
    CHECK(r.done == r.started);
    CHECK(r.m.mem_peak > 40LL << 20);
  }

  TEST_CASE("max_alive caps live threads and processes") {
    for (const char* m : {"threads", "processes"}) {
      CAPTURE(m);
      counting_workload wl(20, std::chrono::milliseconds(1000));
      auto o = small_run(20);
      o.max_alive = 5;
      auto r = run(m, wl, o);
      CHECK(r.stopped_by == stop_kind::budget);
      CHECK(r.stop_detail.find("max_alive 5") != std::string::npos);
      CHECK(r.started == 5);
      CHECK(r.done == 5);
      CHECK(no_children_left());
    }
  }

  TEST_CASE("spawn budgets leave the margins and name the binding one") {
    corio_models::system_limits l;
    l.pid_max = 32768;
    l.threads_max = 190000;
    l.tasks_in_use = 1000;
    l.max_map_count = 65530;
    l.maps_in_use = 200;
    l.rlimit_nofile = 20000;
    l.fds_in_use = 10;
    l.nproc_applies = false;
    corio_models::margins m;
    auto t = corio_models::spawn_budget(l, corio_models::per_task_resource::thread, 0, m);
    CHECK(t.max_alive == 32768 - 1000 - 4096);
    CHECK(t.why.find("pid_max") != std::string::npos);
    l.max_map_count = 30000;  // now mappings bind first: (30000 - 200 - 1024) / 2
    t = corio_models::spawn_budget(l, corio_models::per_task_resource::thread, 0, m);
    CHECK(t.max_alive == (30000 - 200 - 1024) / 2);
    CHECK(t.why.find("max_map_count") != std::string::npos);
    // Processes have their own mappings; a coroutine holding a socket per task is capped by fds.
    CHECK(corio_models::spawn_budget(l, corio_models::per_task_resource::process, 0, m).max_alive == 32768 - 1000 - 4096);
    auto c = corio_models::spawn_budget(l, corio_models::per_task_resource::none, 1, m);
    CHECK(c.max_alive == 20000 - 10 - 256);
    CHECK(corio_models::spawn_budget(l, corio_models::per_task_resource::none, 0, m).max_alive == 0);
    l.nproc_applies = true;
    l.rlimit_nproc = 500;
    l.user_tasks = 100;
    CHECK(corio_models::spawn_budget(l, corio_models::per_task_resource::process, 0, m).max_alive == 500 - 100 - 8);
  }

  TEST_CASE("walls come nearest first") {
    corio_models::system_limits l;
    l.pid_max = 32768;
    l.threads_max = 190000;
    l.tasks_in_use = 1000;
    l.max_map_count = 65530;
    l.maps_in_use = 200;
    l.mem_available = 20LL << 30;
    l.nproc_applies = false;
    auto w = corio_models::walls(l, corio_models::per_task_resource::thread, 0, 40000);
    REQUIRE(w.size() == 4);
    CHECK(w[0].name == "pid_max");
    CHECK(w[1].name == "max_map_count");
    for (std::size_t i = 1; i < w.size(); ++i) CHECK(w[i - 1].tasks <= w[i].tasks);
    auto cw = corio_models::walls(l, corio_models::per_task_resource::none, 0, 200);
    REQUIRE(cw.size() == 1);
    CHECK(cw[0].name == "memory");
    CHECK(cw[0].tasks == doctest::Approx(static_cast<double>(20LL << 30) / 200));
  }

  TEST_CASE("diagnose names the errno") {
    CHECK(corio_models::diagnose(EAGAIN, corio_models::per_task_resource::thread).find("pthread_create") == 0);
    CHECK(corio_models::diagnose(EAGAIN, corio_models::per_task_resource::process).find("EAGAIN") != std::string::npos);
    CHECK(corio_models::errno_name(ENOMEM) == "ENOMEM");
  }

  TEST_CASE("run_control: the first stop wins, sampled children are distinct live ones") {
    corio_models::run_control c;
    CHECK_FALSE(c.should_stop());
    c.request_stop(stop_kind::limit, "first", EAGAIN);
    c.request_stop(stop_kind::budget, "second");
    CHECK(c.stopped_by() == stop_kind::limit);
    CHECK(c.stop_text() == "first");
    CHECK(c.stop_errno() == EAGAIN);
    for (pid_t p = 100; p < 200; ++p) c.add_child(p);
    for (pid_t p = 100; p < 200; p += 2) c.remove_child(p);
    CHECK(c.child_count() == 50);
    auto s = c.sample_children(32);
    std::set<pid_t> u(s.begin(), s.end());
    CHECK(u.size() == 32);
    for (pid_t p : s) CHECK(p % 2 == 1);
    CHECK(c.sample_children(100).size() == 50);
    corio_models::run_control d;
    d.set_deadline(corio_models::mono_ns() - 1, 1.5);
    CHECK(d.should_stop());
    CHECK(d.stopped_by() == stop_kind::budget);
    CHECK(d.stop_text().find("time") != std::string::npos);
  }
}
