// One measured run in a fresh process (child_run.hpp).
#include "child_run.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace corio_scaling {

namespace {
double now_s() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Reaps every exited descendant that was reparented to us (we are their subreaper).
void reap_orphans() {
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
  }
}
}  // namespace

void become_subreaper() { prctl(PR_SET_CHILD_SUBREAPER, 1); }

child_outcome run_child(const std::vector<std::string>& argv, double timeout_s) {
  child_outcome out;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    out.failure = std::string("pipe: ") + std::strerror(errno);
    return out;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
  posix_spawnattr_t at;
  posix_spawnattr_init(&at);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&at, 0);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0].c_str(), &fa, &at, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    out.failure = std::string("posix_spawn: ") + std::strerror(rc);
    return out;
  }
  std::string text;
  const double deadline = now_s() + timeout_s;
  bool timed_out = false;
  char buf[65536];
  for (;;) {
    double left = deadline - now_s();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int pr = poll(&p, 1, static_cast<int>(std::min(left, 1.0) * 1000) + 1);
    if (pr < 0 && errno != EINTR) break;
    if (pr <= 0) continue;
    ssize_t r = read(fds[0], buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;  // EOF: the run closed its stdout (it exited)
    text.append(buf, static_cast<std::size_t>(r));
  }
  close(fds[0]);
  if (timed_out) kill(-pid, SIGKILL);
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    // The group's survivors (none should be left: children die with their parent) are reaped too.
    kill(-pid, SIGKILL);
    reap_orphans();
  }
  reap_orphans();
  // The last non-empty line is the result.
  while (!text.empty() && text.back() == '\n') text.pop_back();
  std::size_t nl = text.rfind('\n');
  out.line = nl == std::string::npos ? text : text.substr(nl + 1);
  if (timed_out) {
    out.failure = "timed out after " + std::to_string(static_cast<long>(timeout_s)) + " s (killed)";
    out.line.clear();
  } else if (WIFSIGNALED(st)) {
    out.failure = std::string("killed by signal ") + std::to_string(WTERMSIG(st)) + " (" + strsignal(WTERMSIG(st)) + ")";
  } else if (WIFEXITED(st) && WEXITSTATUS(st) != 0) {
    out.failure = "exited with status " + std::to_string(WEXITSTATUS(st));
  }
  if (!out.failure.empty() && out.line.find("\"model\"") == std::string::npos) out.line.clear();
  return out;
}

}  // namespace corio_scaling
