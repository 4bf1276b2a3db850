// corio-bench models: one measured run of one execution model, printed as one JSON line.
//
//   corio-bench models --model threads --workload sleep --n 1000 --sleep-ms 100 [--repeat 3]
// With --repeat R the run is repeated R times (one line each); the scaling demo (demos/) runs the
// whole matrix with every run in a fresh process.
#include <cstdio>
#include <iostream>

#include "common/command.hpp"
#include "models/cli.hpp"
#include "models/runner.hpp"

namespace {

int run_models(int argc, char** argv) {
  corio_bench::args a(argc, argv, {CORIO_MODELS_RUN_OPTIONS, "model", "workload", "repeat"},
                      {CORIO_MODELS_RUN_FLAGS, "help"});
  if (a.has("help")) {
    std::printf(
        "corio-bench models --model M --workload W [--n N] [--repeat R] [run options, see bench/models/cli.hpp]\n"
        "  models: ");
    for (auto& n : corio_models::model_names()) std::printf("%s ", n.c_str());
    std::printf("\n  workloads: sleep cpu\n");
    return 0;
  }
  auto o = corio_models::parse_run_options(a);
  auto wl = corio_models::make_workload(a.get("workload", "sleep"), corio_models::parse_workload_params(a));
  const std::string model = a.get("model", "coroutine");
  const long long repeat = a.get_long("repeat", 1);
  for (long long r = 0; r < repeat; ++r) {
    auto m = corio_models::make_model(model);
    auto res = corio_models::run_model(*m, *wl, o);
    std::cout << res.json().add("repeat", r).str() << std::endl;
  }
  return 0;
}

}  // namespace

CORIO_BENCH_COMMAND(models, "one measured run of an execution model (bench/models)", run_models);
