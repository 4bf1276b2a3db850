// demos/scaling/child_run.hpp - one measured run in a fresh process.
//
// Every (model, N) run happens in a new process (this program re-executed with --one), so that no
// run inherits memory, thread-stack caches or frame pools from an earlier one, and a crash or a
// hang costs one row, not the demo. The parent is a child subreaper: if a run must be killed
// (it outlived its hard timeout), its process group is killed and every orphan it left is reaped.
#pragma once

#include <string>
#include <vector>

namespace corio_scaling {

struct child_outcome {
  std::string line;     // the JSON line the run printed (empty if none)
  std::string failure;  // "", or why there is no line: "killed by signal 9", "timed out after 300 s"...
};

// Makes this process the subreaper of its descendants (PR_SET_CHILD_SUBREAPER).
void become_subreaper();

// Runs `argv` (argv[0] is the program) and returns its stdout's last line; kills its process
// group after `timeout_s`. stderr is inherited (the run's live progress line).
child_outcome run_child(const std::vector<std::string>& argv, double timeout_s);

}  // namespace corio_scaling
