// bench/crawl/crawl_workers.hpp - the coroutine-workers models: C corio tasks that take task
// indices in order, on one runtime (io_uring or Asio backend).
//
// What it does: the models library's coroutine models start one corio task per task (N of them)
// and the crawl bounds the requests in flight with a semaphore; asio-awaitable starts C worker
// coroutines instead. These models run the crawl workload's run_async with the worker structure
// of asio-awaitable (C = run_options::workers, default N), so that corio and plain Asio can also
// be compared with exactly the same program structure: the difference is then the runtime alone.
// They run any workload (they only call run_async).
// Which thread resumes you / cancellation / buffers: run() blocks the calling thread until every
// task has finished.
#pragma once

#include <memory>

#include <corio/runtime.hpp>

#include "models/model.hpp"

namespace corio_crawl {

// "coroutine-workers-uring" (io_uring), "coroutine-workers-asio" (Asio backend).
std::unique_ptr<corio_models::model> make_coroutine_workers_model(corio::backend_kind kind);

}  // namespace corio_crawl
