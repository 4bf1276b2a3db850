// bench/common/command.hpp - registration of corio-bench sub-commands.
//
//   static int run_spawn(int argc, char** argv);   // argv[0] is the sub-command name
//   CORIO_BENCH_COMMAND(spawn, "spawn N no-op tasks and join them", run_spawn);
// Sources that register commands are compiled into the corio-bench executable itself (not a
// static library), so the registrations are never dropped by the linker.
#pragma once

#include <map>
#include <string>

namespace corio_bench {

using command_fn = int (*)(int argc, char** argv);
struct command_info {
  command_fn fn;
  const char* help;
};

inline std::map<std::string, command_info>& commands() {
  static std::map<std::string, command_info> m;
  return m;
}

struct command_registration {
  command_registration(const char* name, const char* help, command_fn fn) { commands()[name] = {fn, help}; }
};

}  // namespace corio_bench

#define CORIO_BENCH_COMMAND(name, help, fn) \
  static ::corio_bench::command_registration corio_bench_reg_##name{#name, help, fn}
