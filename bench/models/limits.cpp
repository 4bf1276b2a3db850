// System limits, budgets, walls and failure diagnosis (limits.hpp).
#include "models/limits.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace corio_models {

namespace {

long read_long_file(const char* path, long def) {
  std::FILE* f = std::fopen(path, "r");
  if (!f) return def;
  long v = def;
  if (std::fscanf(f, "%ld", &v) != 1) v = def;
  std::fclose(f);
  return v;
}

long count_lines(const char* path) {
  std::FILE* f = std::fopen(path, "r");
  if (!f) return -1;
  long n = 0;
  char buf[4096];
  while (std::size_t got = std::fread(buf, 1, sizeof buf, f))
    for (std::size_t i = 0; i < got; ++i) n += buf[i] == '\n';
  std::fclose(f);
  return n;
}

long count_dir(const char* path) {
  DIR* d = opendir(path);
  if (!d) return -1;
  long n = 0;
  while (dirent* e = readdir(d))
    if (e->d_name[0] != '.') ++n;
  closedir(d);
  return n - 1;  // the descriptor opendir itself holds
}

// /proc/loadavg: "0.00 0.01 0.05 1/123 4567": 123 is the number of scheduling entities.
long tasks_on_machine(double* load1 = nullptr) {
  std::FILE* f = std::fopen("/proc/loadavg", "r");
  if (!f) return -1;
  double a = 0, b, c;
  long running = 0, total = -1;
  if (std::fscanf(f, "%lf %lf %lf %ld/%ld", &a, &b, &c, &running, &total) != 5) total = -1;
  std::fclose(f);
  if (load1) *load1 = a;
  return total;
}

long long meminfo_kb(const char* key) {
  std::FILE* f = std::fopen("/proc/meminfo", "r");
  if (!f) return -1;
  char line[256];
  long long v = -1;
  std::size_t klen = std::strlen(key);
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, key, klen) == 0 && line[klen] == ':') {
      v = std::strtoll(line + klen + 1, nullptr, 10);
      break;
    }
  }
  std::fclose(f);
  return v;
}

bool has_cap(int bit) {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return false;
  char line[256];
  unsigned long long caps = 0;
  while (std::fgets(line, sizeof line, f))
    if (std::strncmp(line, "CapEff:", 7) == 0) caps = std::strtoull(line + 7, nullptr, 16);
  std::fclose(f);
  return (caps >> bit) & 1;
}

// Threads of processes whose real uid is `uid` (what RLIMIT_NPROC counts).
long tasks_of_uid(uid_t uid) {
  DIR* d = opendir("/proc");
  if (!d) return -1;
  long total = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    char path[300];
    std::snprintf(path, sizeof path, "/proc/%s/status", e->d_name);
    std::FILE* f = std::fopen(path, "r");
    if (!f) continue;
    char line[256];
    long ruid = -1, threads = 0;
    while (std::fgets(line, sizeof line, f)) {
      if (std::strncmp(line, "Uid:", 4) == 0) ruid = std::strtol(line + 4, nullptr, 10);
      if (std::strncmp(line, "Threads:", 8) == 0) threads = std::strtol(line + 8, nullptr, 10);
    }
    std::fclose(f);
    if (ruid == static_cast<long>(uid)) total += threads;
  }
  closedir(d);
  return total;
}

long rlim(int which) {
  rlimit r{};
  if (getrlimit(which, &r) != 0 || r.rlim_cur == RLIM_INFINITY) return -1;
  return static_cast<long>(std::min<rlim_t>(r.rlim_cur, 0x7fffffffffffffffULL));
}

std::string fmt_count(double v) {
  char buf[64];
  if (v >= 1e6)
    std::snprintf(buf, sizeof buf, "%.3gM", v / 1e6);
  else
    std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

}  // namespace

system_limits read_limits() {
  system_limits l;
  l.pid_max = read_long_file("/proc/sys/kernel/pid_max", 32768);
  l.threads_max = read_long_file("/proc/sys/kernel/threads-max", -1);
  l.tasks_in_use = tasks_on_machine(&l.loadavg_1m);
  l.max_map_count = read_long_file("/proc/sys/vm/max_map_count", 65530);
  l.maps_in_use = count_lines("/proc/self/maps");
  l.rlimit_nproc = rlim(RLIMIT_NPROC);
  l.rlimit_nofile = rlim(RLIMIT_NOFILE);
  l.fds_in_use = count_dir("/proc/self/fd");
  l.rlimit_stack = rlim(RLIMIT_STACK);
  l.rlimit_as = rlim(RLIMIT_AS);
  l.mem_total = meminfo_kb("MemTotal") * 1024;
  l.mem_available = meminfo_kb("MemAvailable") * 1024;
  // CAP_SYS_ADMIN = 21, CAP_SYS_RESOURCE = 24; the kernel also exempts the root user.
  l.nproc_applies = getuid() != 0 && !has_cap(21) && !has_cap(24);
  if (l.nproc_applies && l.rlimit_nproc >= 0) l.user_tasks = tasks_of_uid(getuid());
  l.cpus = std::max(1u, std::thread::hardware_concurrency());
  return l;
}

spawn_budget_t spawn_budget(const system_limits& l, per_task_resource r, unsigned fds_per_task, const margins& m) {
  spawn_budget_t b;
  auto consider = [&](long cap, std::string why) {
    if (cap < 0) cap = 0;
    if (b.max_alive == 0 || cap < b.max_alive) {
      b.max_alive = cap;
      b.why = std::move(why);
    }
  };
  char buf[256];
  if (r != per_task_resource::none) {
    long free_pids = l.pid_max - l.tasks_in_use - m.pids;
    std::snprintf(buf, sizeof buf, "pid margin: pid_max %ld - %ld tasks in use - margin %ld = %ld", l.pid_max,
                  l.tasks_in_use, m.pids, free_pids);
    consider(free_pids, buf);
    if (l.threads_max > 0) {
      long free_threads = l.threads_max - l.tasks_in_use - m.pids;
      std::snprintf(buf, sizeof buf, "threads-max margin: threads-max %ld - %ld in use - margin %ld = %ld",
                    l.threads_max, l.tasks_in_use, m.pids, free_threads);
      consider(free_threads, buf);
    }
    if (l.nproc_applies && l.rlimit_nproc >= 0 && l.user_tasks >= 0) {
      long free_nproc = l.rlimit_nproc - l.user_tasks - 8;
      std::snprintf(buf, sizeof buf, "RLIMIT_NPROC %ld - %ld tasks of this user - 8", l.rlimit_nproc, l.user_tasks);
      consider(free_nproc, buf);
    }
  }
  if (r == per_task_resource::thread) {
    // Each thread stack is two mappings in this process: the stack and its guard page.
    long free_maps = (l.max_map_count - l.maps_in_use - m.maps) / 2;
    std::snprintf(buf, sizeof buf, "map margin: (max_map_count %ld - %ld maps - margin %ld) / 2 maps per thread = %ld",
                  l.max_map_count, l.maps_in_use, m.maps, free_maps);
    consider(free_maps, buf);
  }
  if (fds_per_task > 0 && l.rlimit_nofile >= 0 && r != per_task_resource::process) {
    long free_fds = (l.rlimit_nofile - l.fds_in_use - m.fds) / static_cast<long>(fds_per_task);
    std::snprintf(buf, sizeof buf, "fd margin: (RLIMIT_NOFILE %ld - %ld open - margin %ld) / %u per task = %ld",
                  l.rlimit_nofile, l.fds_in_use, m.fds, fds_per_task, free_fds);
    consider(free_fds, buf);
  }
  return b;
}

std::vector<wall> walls(const system_limits& l, per_task_resource r, unsigned fds_per_task, double bytes_per_task) {
  std::vector<wall> w;
  char buf[256];
  if (r != per_task_resource::none) {
    std::snprintf(buf, sizeof buf, "pid_max %ld, %ld threads+processes already on the machine", l.pid_max, l.tasks_in_use);
    w.push_back({"pid_max", static_cast<double>(l.pid_max - l.tasks_in_use), buf});
    if (l.threads_max > 0) {
      std::snprintf(buf, sizeof buf, "threads-max %ld", l.threads_max);
      w.push_back({"threads-max", static_cast<double>(l.threads_max - l.tasks_in_use), buf});
    }
    if (l.nproc_applies && l.rlimit_nproc >= 0) {
      std::snprintf(buf, sizeof buf, "RLIMIT_NPROC %ld, %ld used by this user", l.rlimit_nproc, l.user_tasks);
      w.push_back({"RLIMIT_NPROC", static_cast<double>(l.rlimit_nproc - std::max(0L, l.user_tasks)), buf});
    }
  }
  if (r == per_task_resource::thread) {
    std::snprintf(buf, sizeof buf, "max_map_count %ld per process, 2 mappings per thread stack", l.max_map_count);
    w.push_back({"max_map_count", static_cast<double>(l.max_map_count - l.maps_in_use) / 2, buf});
  }
  if (fds_per_task > 0 && l.rlimit_nofile >= 0 && r != per_task_resource::process) {
    std::snprintf(buf, sizeof buf, "RLIMIT_NOFILE %ld, %u per task", l.rlimit_nofile, fds_per_task);
    w.push_back({"RLIMIT_NOFILE", static_cast<double>(l.rlimit_nofile - l.fds_in_use) / fds_per_task, buf});
  }
  if (std::isfinite(bytes_per_task) && bytes_per_task > 0) {
    std::snprintf(buf, sizeof buf, "MemAvailable %.1f GiB / %.0f bytes per task", static_cast<double>(l.mem_available) / (1 << 30),
                  bytes_per_task);
    w.push_back({"memory", static_cast<double>(l.mem_available) / bytes_per_task, buf});
  }
  std::sort(w.begin(), w.end(), [](const wall& a, const wall& b) { return a.tasks < b.tasks; });
  for (auto& x : w) x.detail = "~" + fmt_count(x.tasks) + " tasks: " + x.detail;
  return w;
}

std::string errno_name(int err) {
  switch (err) {
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case EPERM: return "EPERM";
    case EINVAL: return "EINVAL";
    case ENOSYS: return "ENOSYS";
    default: return std::to_string(err);
  }
}

std::string diagnose(int err, per_task_resource r) {
  system_limits l = read_limits();
  std::ostringstream s;
  s << (r == per_task_resource::thread ? "pthread_create" : r == per_task_resource::process ? "fork" : "start")
    << ": " << std::strerror(err) << " (" << errno_name(err) << ")";
  const char* likely = nullptr;
  if (l.nproc_applies && l.rlimit_nproc >= 0 && l.user_tasks >= l.rlimit_nproc - 1)
    likely = "RLIMIT_NPROC";
  else if (l.tasks_in_use >= l.pid_max - 8)
    likely = "pid_max";
  else if (l.threads_max > 0 && l.tasks_in_use >= l.threads_max - 8)
    likely = "threads-max";
  else if (r == per_task_resource::thread && l.maps_in_use >= l.max_map_count - 4)
    likely = "max_map_count";
  else if (err == ENOMEM || err == EAGAIN)
    likely = l.rlimit_as >= 0 ? "RLIMIT_AS or memory" : "memory (or a kernel limit)";
  if (likely) s << "; likely limit: " << likely;
  s << " [tasks on machine " << l.tasks_in_use << "/" << l.pid_max << ", maps " << l.maps_in_use << "/" << l.max_map_count;
  if (l.nproc_applies && l.rlimit_nproc >= 0) s << ", user tasks " << l.user_tasks << "/RLIMIT_NPROC " << l.rlimit_nproc;
  s << ", MemAvailable " << l.mem_available / (1 << 20) << " MiB]";
  return s.str();
}

}  // namespace corio_models
