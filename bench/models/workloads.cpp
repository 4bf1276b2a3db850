// The library's workloads: sleep and cpu (workload.hpp).
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <stdexcept>
#include <system_error>

#include <corio/time.hpp>

#include "models/workload.hpp"

namespace corio_models {

std::uint64_t cpu_chain(std::uint64_t seed, std::uint64_t iterations) noexcept {
  // A multiply-xorshift step (the finaliser of SplitMix64, folded into a chain). Each step needs
  // the previous value, so the loop runs one step after another; the result is returned and
  // compared, so it cannot be deleted.
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (std::uint64_t k = 0; k < iterations; ++k) {
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
  }
  return x;
}

namespace {

class sleep_workload final : public workload {
 public:
  explicit sleep_workload(double ms) : ns_(static_cast<std::int64_t>(ms * 1e6)) {
    if (!(ms >= 0) || ms > 86'400'000) throw std::invalid_argument("sleep workload: sleep_ms must be in [0, 86400000]");
  }
  std::string name() const override { return "sleep"; }
  void describe(corio_bench::json_line& j) const override { j.add("sleep_ms", static_cast<double>(ns_) / 1e6); }
  double nominal_task_s() const override { return static_cast<double>(ns_) / 1e9; }

  std::uint64_t run_blocking(std::size_t i) override {
    timespec ts{static_cast<time_t>(ns_ / 1'000'000'000), static_cast<long>(ns_ % 1'000'000'000)};
    // An absolute deadline, so that a signal does not lengthen the sleep.
    timespec deadline{};
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += ts.tv_sec;
    deadline.tv_nsec += ts.tv_nsec;
    if (deadline.tv_nsec >= 1'000'000'000) {
      deadline.tv_nsec -= 1'000'000'000;
      ++deadline.tv_sec;
    }
    int rc;
    while ((rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr)) == EINTR) {
    }
    if (rc != 0) throw std::system_error(rc, std::system_category(), "clock_nanosleep");
    return i;
  }
  corio::task<std::uint64_t> run_async(std::size_t i) override {
    co_await corio::sleep_for(std::chrono::nanoseconds(ns_));
    co_return i;
  }
  bool valid_result(std::size_t i, std::uint64_t v) const override { return v == i; }

 private:
  std::int64_t ns_;
};

class cpu_workload final : public workload {
 public:
  explicit cpu_workload(std::uint64_t iterations) : iterations_(iterations) {}
  std::string name() const override { return "cpu"; }
  void describe(corio_bench::json_line& j) const override { j.add("iterations", iterations_); }

  std::uint64_t run_blocking(std::size_t i) override { return cpu_chain(i, iterations_); }
  // On a coroutine runtime the computation runs on the loop thread: one task at a time.
  corio::task<std::uint64_t> run_async(std::size_t i) override { co_return cpu_chain(i, iterations_); }

 private:
  std::uint64_t iterations_;
};

}  // namespace

std::unique_ptr<workload> make_workload(const std::string& name, const workload_params& p) {
  if (name == "sleep") return std::make_unique<sleep_workload>(p.sleep_ms);
  if (name == "cpu") return std::make_unique<cpu_workload>(p.iterations);
  throw std::invalid_argument("unknown workload '" + name + "' (known: sleep, cpu)");
}

std::vector<std::string> workload_names() { return {"sleep", "cpu"}; }

}  // namespace corio_models
