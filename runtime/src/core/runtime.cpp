// corio::runtime (corio/runtime.hpp).
#include <corio/runtime.hpp>

namespace corio {

runtime::runtime(runtime_options opts) : sched_(std::make_unique<detail::scheduler>(std::move(opts))) {}

runtime::~runtime() = default;

void runtime::run_root(detail::promise_base& p, std::coroutine_handle<> h) {
  try {
    sched_->run(h);
  } catch (...) {
    if (h.done()) {
      h.destroy();
    } else {
      sched_->adopt(p, h);  // destroyed at shutdown, or frees itself if a later block_on finishes it
    }
    throw;
  }
}

}  // namespace corio
