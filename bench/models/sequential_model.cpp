// sequential: one task after the other on the calling thread (the blog's "single thread").
#include "models/models_impl.hpp"
#include "models/measure.hpp"

namespace corio_models {
namespace {

class sequential_model final : public model {
 public:
  std::string name() const override { return "sequential"; }
  per_task_resource resource() const override { return per_task_resource::none; }
  std::size_t concurrency(const run_options&) const override { return 1; }
  void run(run_context& ctx) override {
    ctx.wl.worker_start();
    for (std::size_t i = 0; i < ctx.records.size(); ++i) {
      if (ctx.ctl.should_stop()) break;
      ctx.ctl.started.fetch_add(1, std::memory_order_relaxed);
      run_task_blocking(ctx.wl, i, ctx.records[i]);
      count_task(ctx.ctl, ctx.records[i]);
    }
    ctx.wl.worker_stop();
  }
};

}  // namespace

std::unique_ptr<model> make_sequential_model() { return std::make_unique<sequential_model>(); }

}  // namespace corio_models
