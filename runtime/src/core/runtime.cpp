// corio::runtime (corio/runtime.hpp), and the scheduler-side entry points of the Asio interop
// (corio/asio.hpp).
#include <corio/runtime.hpp>

#include <corio/detail/scheduler.hpp>

#include "io/driver.hpp"
#include "io/select.hpp"

namespace corio {

runtime::runtime(runtime_options opts) : sched_(std::make_unique<detail::scheduler>(std::move(opts))) {}

runtime::~runtime() = default;

backend_kind runtime::backend() const noexcept { return sched_->kind(); }
const std::string& runtime::backend_reason() const noexcept { return sched_->backend_reason(); }
runtime_stats runtime::stats() const noexcept { return std::as_const(*sched_).stats(); }

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

namespace corio::detail {
void* native_backend_handle(scheduler& s) noexcept { return asio_context_of(s.io().backend()); }
void add_foreign_backend_ops(scheduler& s, std::ptrdiff_t delta) noexcept {
  add_foreign_asio_ops(s.io().backend(), delta);
}
}  // namespace corio::detail
