// The measurement of a run (measure.hpp).
#include "models/measure.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <system_error>
#include <utility>

#include "common/proc.hpp"

namespace corio_models {

namespace {

// ---- the shared sample counter ----
std::atomic<std::uint64_t>* shared_epoch() {
  static std::atomic<std::uint64_t>* p = [] {
    void* m = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
      static std::atomic<std::uint64_t> fallback{0};
      return &fallback;
    }
    return new (m) std::atomic<std::uint64_t>(0);
  }();
  return p;
}

// ---- /proc readers ----
// Reads a small /proc file into buf (NUL-terminated); false if it cannot be read.
bool read_small(const char* path, char* buf, std::size_t cap) {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  std::size_t len = 0;
  while (len + 1 < cap) {
    ssize_t r = ::read(fd, buf + len, cap - 1 - len);
    if (r < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return false;
    }
    if (r == 0) break;
    len += static_cast<std::size_t>(r);
  }
  ::close(fd);
  buf[len] = 0;
  return len > 0;
}

// The value in kB after "key:" in a /proc "key: value kB" text, or -1.
long long field_kb(const char* text, const char* key) {
  std::size_t klen = std::strlen(key);
  for (const char* p = text; p && *p;) {
    if (std::strncmp(p, key, klen) == 0 && p[klen] == ':') return std::strtoll(p + klen + 1, nullptr, 10);
    p = std::strchr(p, '\n');
    if (p) ++p;
  }
  return -1;
}

// What the kernel holds for every thread: its kernel stack (THREAD_SIZE: 16 KiB on x86-64 and
// arm64; /proc/meminfo KernelStack / tasks on the machine agrees here: 2584 kB / 163 tasks).
constexpr long long kernel_stack_bytes = 16 * 1024;

struct proc_mem {
  long long pss = -1;     // bytes; -1 if the process is gone
  long long kernel = 0;   // page tables (VmPTE) + kernel stacks of its threads, bytes
  long threads = 0;
};

// Memory of the process behind `proc_dir` ("/proc/self", "/proc/1234").
proc_mem read_proc_mem(const char* proc_dir) {
  proc_mem m;
  char path[64], buf[4096];
  std::snprintf(path, sizeof path, "%s/smaps_rollup", proc_dir);
  if (!read_small(path, buf, sizeof buf)) return m;
  long long kb = field_kb(buf, "Pss");
  if (kb < 0) return m;
  std::snprintf(path, sizeof path, "%s/status", proc_dir);
  if (!read_small(path, buf, sizeof buf)) return m;
  m.pss = kb * 1024;
  m.threads = static_cast<long>(std::max(0LL, field_kb(buf, "Threads")));
  m.kernel = std::max(0LL, field_kb(buf, "VmPTE")) * 1024 + m.threads * kernel_stack_bytes;
  return m;
}

struct meminfo {
  long long kernel = 0;    // KernelStack + PageTables + SUnreclaim, bytes
  long long used = 0;      // MemTotal - MemAvailable, bytes
  long long available = 0;
};

meminfo read_meminfo() {
  char buf[8192];
  meminfo m;
  if (!read_small("/proc/meminfo", buf, sizeof buf)) return m;
  long long ks = field_kb(buf, "KernelStack"), pt = field_kb(buf, "PageTables"), su = field_kb(buf, "SUnreclaim");
  m.kernel = (std::max(0LL, ks) + std::max(0LL, pt) + std::max(0LL, su)) * 1024;
  m.available = field_kb(buf, "MemAvailable") * 1024;
  m.used = field_kb(buf, "MemTotal") * 1024 - m.available;
  return m;
}

long free_pids() {
  char buf[128];
  if (!read_small("/proc/loadavg", buf, sizeof buf)) return -1;
  const char* slash = std::strchr(buf, '/');
  if (!slash) return -1;
  long total = std::strtol(slash + 1, nullptr, 10);
  char pm[32];
  if (!read_small("/proc/sys/kernel/pid_max", pm, sizeof pm)) return -1;
  return std::strtol(pm, nullptr, 10) - total;
}

double secs(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; }

std::string mib(long long b) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(b) / (1 << 20));
  return buf;
}

}  // namespace

std::uint64_t sample_epoch() noexcept { return shared_epoch()->load(std::memory_order_acquire); }

struct measurement::sample {
  proc_mem self;
  long long children_pss = 0;
  long long children_kernel = 0;
  long children_live = 0, children_read = 0;
  meminfo mem;
  long pids_free = -1;
  long in_flight = 0;
};

measurement::measurement(run_control& ctl, options o) : ctl_(ctl), o_(o) {
  shared_epoch();  // map it before any child is forked
}

measurement::~measurement() {
  if (th_.joinable()) stop(mono_ns());
}

void measurement::take_baseline() {
  const proc_mem base = read_proc_mem("/proc/self");
  m_.mem_self_base = base.pss;
  self_kernel_base_ = base.kernel;
  meminfo mi = read_meminfo();
  kernel_base_ = mi.kernel;
  sys_used_base_ = mi.used;
}

std::int64_t measurement::start() {
  corio_bench::reset_peak_rss();
  // The sampler thread takes the memory baseline itself, so that its own stack and kernel stack
  // belong to the baseline, not to the model.
  try {
    th_ = std::thread([this] { loop(); });
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return baseline_taken_; });
  } catch (const std::system_error&) {
    // No thread to spare (e.g. at RLIMIT_NPROC): the run goes on unsampled (samples == 0).
    take_baseline();
  }
  rusage self{}, kids{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &kids);
  u0_ = secs(self.ru_utime);
  s0_ = secs(self.ru_stime);
  v0_ = self.ru_nvcsw;
  iv0_ = self.ru_nivcsw;
  cu0_ = secs(kids.ru_utime);
  cs0_ = secs(kids.ru_stime);
  cv0_ = kids.ru_nvcsw;
  civ0_ = kids.ru_nivcsw;
  t0_ = mono_ns();
  {
    std::lock_guard lk(mu_);
    last_progress_ = t0_;
    started_ = true;
  }
  cv_.notify_all();
  return t0_;
}

void measurement::poke() {
  {
    std::lock_guard lk(mu_);
    poked_ = true;
  }
  cv_.notify_all();
}

measurement::sample measurement::take() {
  sample s;
  const std::size_t fin = ctl_.done.load() + ctl_.failed.load();
  const std::size_t st = ctl_.started.load();
  s.in_flight = st > fin ? static_cast<long>(st - fin) : 0;
  s.self = read_proc_mem("/proc/self");
  std::vector<pid_t> kids = ctl_.sample_children(o_.child_sample);
  s.children_live = static_cast<long>(ctl_.child_count());
  long long pss = 0, kernel = 0;
  for (pid_t p : kids) {
    char dir[32];
    std::snprintf(dir, sizeof dir, "/proc/%d", static_cast<int>(p));
    proc_mem c = read_proc_mem(dir);
    if (c.pss < 0) continue;  // it exited meanwhile
    pss += c.pss;
    kernel += c.kernel;
    ++s.children_read;
  }
  if (s.children_read > 0) {
    const double scale = static_cast<double>(s.children_live) / static_cast<double>(s.children_read);
    s.children_pss = static_cast<long long>(static_cast<double>(pss) * scale);
    s.children_kernel = static_cast<long long>(static_cast<double>(kernel) * scale);
  }
  s.mem = read_meminfo();
  s.pids_free = free_pids();
  return s;
}

void measurement::account(const sample& s) {
  const long long self = s.self.pss >= 0 ? s.self.pss - m_.mem_self_base : 0;
  const long long kernel = (s.self.pss >= 0 ? s.self.kernel - self_kernel_base_ : 0) + s.children_kernel;
  const long long total = self + s.children_pss + kernel;
  last_total_ = total;
  ++m_.samples;
  if (m_.samples == 1 || total > m_.mem_peak) {
    m_.mem_peak = total;
    m_.mem_self_at_peak = self;
    m_.mem_children_at_peak = s.children_pss;
    m_.mem_kernel_at_peak = kernel;
    m_.children_sampled = s.children_read;
    m_.in_flight_at_peak = s.in_flight;
  }
  m_.in_flight_peak = std::max(m_.in_flight_peak, s.in_flight);
  m_.kernel_machine_peak = std::max(m_.kernel_machine_peak, s.mem.kernel - kernel_base_);
  m_.sys_used_peak = std::max(m_.sys_used_peak, s.mem.used - sys_used_base_);
  m_.threads_peak = std::max(m_.threads_peak, s.self.threads);
  m_.children_peak = std::max(m_.children_peak, s.children_live);

  if (o_.memory_budget > 0 && total > o_.memory_budget)
    ctl_.request_stop(stop_kind::budget, "budget: memory (" + mib(total) + " > " + mib(o_.memory_budget) + ")");
  if (o_.mem_floor > 0 && s.mem.available > 0 && s.mem.available < o_.mem_floor)
    ctl_.request_stop(stop_kind::budget,
                      "budget: MemAvailable " + mib(s.mem.available) + " below the floor " + mib(o_.mem_floor));
  if (o_.pid_floor > 0 && s.pids_free >= 0 && s.pids_free < o_.pid_floor)
    ctl_.request_stop(stop_kind::budget, "budget: only " + std::to_string(s.pids_free) +
                                             " pids left free on the machine (floor " + std::to_string(o_.pid_floor) + ")");
}

void measurement::print_progress(bool final) {
  const double el = static_cast<double>(mono_ns() - t0_) / 1e9;
  std::fprintf(stderr, "\r\033[K  %-18s started %zu  done %zu  failed %zu  mem %s  %.1f s%s", o_.label,
               ctl_.started.load(), ctl_.done.load(), ctl_.failed.load(), mib(last_total_).c_str(), el,
               final ? "\r\033[K" : "");
  std::fflush(stderr);
}

void measurement::loop() {
  take_baseline();
  std::unique_lock lk(mu_);
  baseline_taken_ = true;
  cv_.notify_all();
  cv_.wait(lk, [&] { return started_ || stop_; });  // t0_ and the usage baseline are set
  std::int64_t next_sample = 0;  // due at once
  for (;;) {
    const bool poked = std::exchange(poked_, false);
    lk.unlock();
    std::int64_t now = mono_ns();
    if (poked || now >= next_sample) {
      sample s = take();
      const std::int64_t took = mono_ns() - now;
      account(s);
      shared_epoch()->fetch_add(1, std::memory_order_release);
      now = mono_ns();
      next_sample = now + std::max(static_cast<std::int64_t>(o_.interval_s * 1e9), 20 * took);
    }
    if (o_.progress && now - last_progress_ >= 250'000'000) {
      last_progress_ = now;
      print_progress(false);
    }
    std::int64_t wake = next_sample;
    if (o_.progress) wake = std::min(wake, last_progress_ + 250'000'000);
    lk.lock();
    if (!stop_ && !poked_)
      cv_.wait_for(lk, std::chrono::nanoseconds(std::max<std::int64_t>(wake - mono_ns(), 0)),
                   [&] { return stop_ || poked_; });
    if (stop_) break;
  }
  lk.unlock();
  // One last sample after the model returned is pointless (its tasks are gone); record this
  // thread's own usage so that stop() can exclude it.
  rusage r{};
  getrusage(RUSAGE_THREAD, &r);
  thr_u_ = secs(r.ru_utime);
  thr_s_ = secs(r.ru_stime);
  thr_v_ = r.ru_nvcsw;
  thr_iv_ = r.ru_nivcsw;
  if (o_.progress) print_progress(true);
}

metrics measurement::stop(std::int64_t t1) {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (th_.joinable()) th_.join();
  rusage self{}, kids{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &kids);
  m_.wall_s = static_cast<double>(t1 - t0_) / 1e9;
  m_.children_user_s = secs(kids.ru_utime) - cu0_;
  m_.children_sys_s = secs(kids.ru_stime) - cs0_;
  m_.user_s = secs(self.ru_utime) - u0_ - thr_u_ + m_.children_user_s;
  m_.sys_s = secs(self.ru_stime) - s0_ - thr_s_ + m_.children_sys_s;
  // Per-thread and per-process CPU times are scaled separately by the kernel (from tick samples to
  // the precise runtime), so the subtraction can undershoot by a tick or two: clamp at zero.
  m_.user_s = std::max(0.0, m_.user_s);
  m_.sys_s = std::max(0.0, m_.sys_s);
  m_.sampler_cpu_s = thr_u_ + thr_s_;
  m_.vcsw = std::max(0L, self.ru_nvcsw - v0_ - thr_v_) + (kids.ru_nvcsw - cv0_);
  m_.ivcsw = std::max(0L, self.ru_nivcsw - iv0_ - thr_iv_) + (kids.ru_nivcsw - civ0_);
  m_.children_maxrss_kb = kids.ru_maxrss;
  m_.self_hwm_kb = corio_bench::peak_rss_kb();
  return m_;
}

}  // namespace corio_models
