// run_control (run_control.hpp).
#include "models/run_control.hpp"

#include <time.h>

#include <cstdio>

namespace corio_models {

std::int64_t mono_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

const char* to_string(stop_kind k) noexcept {
  switch (k) {
    case stop_kind::none: return "";
    case stop_kind::budget: return "budget";
    case stop_kind::limit: return "limit";
    case stop_kind::error: return "error";
  }
  return "?";
}

void run_control::request_stop(stop_kind k, std::string what, int err) {
  std::lock_guard lk(mu_);
  if (kind_.load(std::memory_order_relaxed) != 0) return;
  what_ = std::move(what);
  err_ = err;
  kind_.store(static_cast<int>(k), std::memory_order_release);
}

bool run_control::should_stop() {
  if (stop_requested()) return true;
  if (deadline_ns_ && mono_ns() >= deadline_ns_) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "budget: time (%.3g s)", time_budget_s_);
    request_stop(stop_kind::budget, buf);
    return true;
  }
  return false;
}

bool run_control::may_spawn(long alive) {
  if (max_alive_ <= 0 || alive < max_alive_) return true;
  request_stop(stop_kind::budget, "budget: " + spawn_budget_text_);
  return false;
}

std::string run_control::stop_text() const {
  std::lock_guard lk(mu_);
  return what_;
}

int run_control::stop_errno() const {
  std::lock_guard lk(mu_);
  return err_;
}

void run_control::add_child(pid_t pid) {
  std::lock_guard lk(children_mu_);
  child_pos_[pid] = children_.size();
  children_.push_back(pid);
}

void run_control::remove_child(pid_t pid) {
  std::lock_guard lk(children_mu_);
  auto it = child_pos_.find(pid);
  if (it == child_pos_.end()) return;
  std::size_t pos = it->second;
  child_pos_.erase(it);
  pid_t last = children_.back();
  children_.pop_back();
  if (pos < children_.size()) {
    children_[pos] = last;
    child_pos_[last] = pos;
  }
}

std::size_t run_control::child_count() const {
  std::lock_guard lk(children_mu_);
  return children_.size();
}

std::vector<pid_t> run_control::sample_children(std::size_t k) {
  std::lock_guard lk(children_mu_);
  std::vector<pid_t> out;
  const std::size_t n = children_.size();
  if (n <= k) return children_;
  // Floyd's algorithm: k distinct positions out of n.
  std::vector<std::size_t> picked;
  picked.reserve(k);
  for (std::size_t j = n - k; j < n; ++j) {
    std::size_t t = std::uniform_int_distribution<std::size_t>(0, j)(rng_);
    bool seen = false;
    for (auto p : picked) seen = seen || p == t;
    picked.push_back(seen ? j : t);
  }
  out.reserve(k);
  for (auto p : picked) out.push_back(children_[p]);
  return out;
}

}  // namespace corio_models
