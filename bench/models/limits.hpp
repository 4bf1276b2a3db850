// bench/models/limits.hpp - the machine's limits on threads, processes, mappings, files and memory.
//
// read_limits() takes a snapshot (pid_max, threads-max, tasks in use, max_map_count, this
// process's mappings, RLIMIT_NPROC / NOFILE / STACK / AS, open files, MemAvailable). From it:
//   - spawn_budget(): how many threads or processes a model may have alive at once while leaving
//     margins (thousands of pids, a thousand mappings, some file descriptors) to the rest of the
//     machine, which is shared;
//   - walls(): the limits a model would hit if it went on, nearest first, with the task count at
//     which each would bite (what the scaling demo names beyond the budget);
//   - diagnose(): after pthread_create/fork failed, which limit most likely refused, judged from a
//     fresh snapshot.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace corio_models {

struct system_limits {
  long pid_max = 0;           // /proc/sys/kernel/pid_max: threads and processes share this space
  long threads_max = 0;       // /proc/sys/kernel/threads-max
  long tasks_in_use = 0;      // threads + processes on the machine (/proc/loadavg)
  long max_map_count = 0;     // /proc/sys/vm/max_map_count: mappings per process
  long maps_in_use = 0;       // this process's mappings (/proc/self/maps)
  long rlimit_nproc = -1;     // RLIMIT_NPROC soft limit (-1: unlimited); root is exempt
  long rlimit_nofile = -1;    // RLIMIT_NOFILE soft limit
  long fds_in_use = 0;        // this process's open file descriptors
  long rlimit_stack = -1;     // RLIMIT_STACK soft limit (the default thread stack size), bytes
  long long rlimit_as = -1;   // RLIMIT_AS soft limit, bytes
  long long mem_total = 0;    // MemTotal, bytes
  long long mem_available = 0;  // MemAvailable, bytes
  bool nproc_applies = true;  // false for root and CAP_SYS_RESOURCE/ADMIN: RLIMIT_NPROC does not bind
  long user_tasks = -1;       // threads+processes of this real uid (counted only where NPROC binds)
  unsigned cpus = 1;
  double loadavg_1m = 0;      // /proc/loadavg: how busy the (shared) machine was
};

system_limits read_limits();

// What a model creates per task: nothing (coroutines, sequential, pools once started), a thread,
// or a process.
enum class per_task_resource { none, thread, process };

struct margins {
  long pids = 4096;             // threads+processes left free on the machine
  long maps = 1024;             // mappings left free in this process
  long fds = 256;               // file descriptors left free in this process
  long long mem_floor = 4LL << 30;  // MemAvailable never to go below (bytes)
};

struct spawn_budget_t {
  long max_alive = 0;  // 0: no cap
  std::string why;     // e.g. "pid margin: pid_max 32768 - 98 in use - margin 4096 = 28574"
};

// The cap on concurrently live threads/processes (or, for fds_per_task > 0, tasks holding a file
// descriptor) for a model of kind `r`.
spawn_budget_t spawn_budget(const system_limits& l, per_task_resource r, unsigned fds_per_task, const margins& m);

struct wall {
  std::string name;    // "pid_max", "max_map_count", "RLIMIT_NOFILE", "memory", ...
  double tasks = 0;    // tasks at which it would bite (estimate)
  std::string detail;  // how that figure was computed
};

// The walls for a model of kind `r` whose tasks cost `bytes_per_task` of memory (NaN: unknown),
// nearest first.
std::vector<wall> walls(const system_limits& l, per_task_resource r, unsigned fds_per_task, double bytes_per_task);

// Names the limit most likely behind `err` from pthread_create ("thread") or fork ("process"),
// from a snapshot taken right after the failure.
std::string diagnose(int err, per_task_resource r);

// "EAGAIN", "ENOMEM", ... (or the number).
std::string errno_name(int err);

}  // namespace corio_models
