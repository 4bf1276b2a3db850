// tests/models/test_workloads.hpp - workloads that let the model tests check what really happened.
//
// counting_workload: every execution of task i increments counts[i] in memory shared with forked
// children (MAP_SHARED), so "every task ran exactly once" is checked by the workload itself, not
// by the model's bookkeeping. Result: i * 7 + 1. Optional failure injection: tasks with
// i % fail_every == fail_at throw (or, with exit_instead, end their process with _exit(3)).
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <new>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>
#include <time.h>

#include <corio/time.hpp>

#include "models/measure.hpp"
#include "models/workload.hpp"

namespace models_test {

// An array of atomic counters in shared anonymous memory (visible to forked children).
class shared_counters {
 public:
  explicit shared_counters(std::size_t n) : n_(n), bytes_(sizeof(std::atomic<std::uint32_t>) * (n ? n : 1)) {
    void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::system_error(errno, std::system_category(), "mmap");
    c_ = static_cast<std::atomic<std::uint32_t>*>(p);
    for (std::size_t i = 0; i < n; ++i) new (&c_[i]) std::atomic<std::uint32_t>(0);
  }
  ~shared_counters() { munmap(c_, bytes_); }
  shared_counters(const shared_counters&) = delete;
  shared_counters& operator=(const shared_counters&) = delete;
  std::atomic<std::uint32_t>& operator[](std::size_t i) { return c_[i]; }
  std::size_t size() const { return n_; }

 private:
  std::size_t n_, bytes_;
  std::atomic<std::uint32_t>* c_;
};

class counting_workload : public corio_models::workload {
 public:
  explicit counting_workload(std::size_t n, std::chrono::milliseconds wait = std::chrono::milliseconds(5))
      : counts(n), wait_(wait) {}
  std::string name() const override { return "counting"; }
  double nominal_task_s() const override { return static_cast<double>(wait_.count()) / 1000; }

  std::uint64_t run_blocking(std::size_t i) override {
    counts[i].fetch_add(1);
    std::this_thread::sleep_for(wait_);  // the task's simulated IO, not a synchronisation
    maybe_fail(i, true);
    return i * 7 + 1;
  }
  corio::task<std::uint64_t> run_async(std::size_t i) override {
    counts[i].fetch_add(1);
    co_await corio::sleep_for(wait_);
    maybe_fail(i, false);
    co_return i * 7 + 1;
  }
  bool valid_result(std::size_t i, std::uint64_t v) const override { return v == i * 7 + 1; }

  shared_counters counts;
  std::size_t fail_every = 0, fail_at = 0;
  bool exit_instead = false;  // end the whole process instead of throwing (process models only)

 private:
  void maybe_fail(std::size_t i, bool blocking) {
    if (fail_every == 0 || i % fail_every != fail_at) return;
    if (exit_instead && blocking) _exit(3);
    throw std::runtime_error("injected failure");
  }
  std::chrono::milliseconds wait_;
};

// Waits (bounded) until the memory sampler has completed two more samples, so that a sample
// started after this call has seen the caller's memory. Returns false on timeout.
inline bool wait_for_samples(std::uint64_t more = 2, std::chrono::seconds limit = std::chrono::seconds(30)) {
  const std::uint64_t target = corio_models::sample_epoch() + more;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (corio_models::sample_epoch() < target) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // polling the sampler's counter
  }
  return true;
}

// Each task allocates `bytes`, touches every page, and holds them until the sampler has seen them.
class allocating_workload : public corio_models::workload {
 public:
  explicit allocating_workload(std::size_t bytes, bool keep = false) : bytes_(bytes), keep_(keep) {}
  ~allocating_workload() override {
    for (char* p : kept_) delete[] p;
  }
  std::string name() const override { return "allocating"; }
  std::uint64_t run_blocking(std::size_t) override {
    char* p = new char[bytes_];
    for (std::size_t k = 0; k < bytes_; k += 4096) p[k] = static_cast<char>(k);
    std::uint64_t sum = 0;
    for (std::size_t k = 0; k < bytes_; k += 4096) sum += static_cast<unsigned char>(p[k]);
    const bool seen = wait_for_samples();
    if (keep_) {
      kept_.push_back(p);
    } else {
      delete[] p;
    }
    if (!seen) throw std::runtime_error("the sampler never ran");
    return sum;
  }
  corio::task<std::uint64_t> run_async(std::size_t i) override { co_return run_blocking(i); }

 private:
  std::size_t bytes_;
  bool keep_;
  std::vector<char*> kept_;
};

// Each task burns `cpu` of its own thread's CPU time (not wall time), whatever the machine's load.
class burning_workload : public corio_models::workload {
 public:
  explicit burning_workload(double cpu_s) : cpu_s_(cpu_s) {}
  std::string name() const override { return "burning"; }
  std::uint64_t run_blocking(std::size_t i) override {
    std::uint64_t x = i + 1, rounds = 0;
    const double start = thread_cpu();
    while (thread_cpu() - start < cpu_s_) {
      x = corio_models::cpu_chain(x, 100000);
      ++rounds;
    }
    return x ^ rounds;
  }
  corio::task<std::uint64_t> run_async(std::size_t i) override { co_return run_blocking(i); }

 private:
  static double thread_cpu() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
  }
  double cpu_s_;
};

}  // namespace models_test
