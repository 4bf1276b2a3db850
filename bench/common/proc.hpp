// bench/common/proc.hpp - process-level measurements: RSS, peak RSS, CPU time, context switches.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace corio_bench {

// Current resident set size of this process in KiB (from /proc/self/statm), or -1.
inline long current_rss_kb() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return -1;
  long pages_total = 0, pages_rss = 0;
  int n = std::fscanf(f, "%ld %ld", &pages_total, &pages_rss);
  std::fclose(f);
  if (n != 2) return -1;
  return pages_rss * (sysconf(_SC_PAGESIZE) / 1024);
}

// Peak resident set size of this process in KiB (VmHWM), or -1.
inline long peak_rss_kb() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  long kb = -1;
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, "VmHWM:", 6) == 0) {
      kb = std::strtol(line + 6, nullptr, 10);
      break;
    }
  }
  std::fclose(f);
  return kb;
}

// Resets the peak RSS (VmHWM) to the current RSS (Linux 4.0+: write 5 to clear_refs). Returns
// false where that is not permitted.
inline bool reset_peak_rss() {
  std::FILE* f = std::fopen("/proc/self/clear_refs", "w");
  if (!f) return false;
  bool ok = std::fputs("5", f) >= 0;
  return std::fclose(f) == 0 && ok;
}

struct cpu_times {
  double user_s = 0, sys_s = 0;
  long voluntary_cs = 0, involuntary_cs = 0;
};

inline cpu_times self_cpu() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  cpu_times t;
  t.user_s = static_cast<double>(ru.ru_utime.tv_sec) + static_cast<double>(ru.ru_utime.tv_usec) / 1e6;
  t.sys_s = static_cast<double>(ru.ru_stime.tv_sec) + static_cast<double>(ru.ru_stime.tv_usec) / 1e6;
  t.voluntary_cs = ru.ru_nvcsw;
  t.involuntary_cs = ru.ru_nivcsw;
  return t;
}

}  // namespace corio_bench
