// corio-bench: runs one benchmark sub-command; prints one JSON object per line on stdout.
// `corio-bench` alone lists the sub-commands; `corio-bench <cmd> --help` describes one.
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>

#include "common/command.hpp"

int main(int argc, char** argv) {
  auto& cmds = corio_bench::commands();
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    std::fprintf(argc < 2 ? stderr : stdout, "usage: corio-bench <command> [options]\ncommands:\n");
    for (auto& [name, info] : cmds) std::fprintf(argc < 2 ? stderr : stdout, "  %-10s %s\n", name.c_str(), info.help);
    return argc < 2 ? 2 : 0;
  }
  auto it = cmds.find(argv[1]);
  if (it == cmds.end()) {
    std::fprintf(stderr, "corio-bench: unknown command '%s' (run corio-bench --help)\n", argv[1]);
    return 2;
  }
  try {
    return it->second.fn(argc - 1, argv + 1);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "corio-bench %s: %s\n", argv[1], e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "corio-bench %s: error: %s\n", argv[1], e.what());
    return 1;
  }
}
