// bench/crawl/crawl_models.hpp - every model corio-crawl can run, by name.
//
// What it does: make_crawl_model(name) gives the models library's models (bench/models/model.hpp:
// coroutine-uring, coroutine-asio, threads, processes, thread-pool, process-pool, ...) and the
// crawl's own: asio-awaitable (plain Asio, crawl_asio.hpp), coroutine-workers-uring/-asio (C corio
// worker tasks, crawl_workers.hpp) and epoll-floor (no runtime, list mode only, crawl_floor.hpp).
// Unknown names throw std::invalid_argument listing the known ones.
// Threads, cancellation, buffers: not applicable.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/model.hpp"

namespace corio_crawl {

std::unique_ptr<corio_models::model> make_crawl_model(const std::string& name);
std::vector<std::string> crawl_model_names();
// Whether the model runs C workers (pools, asio-awaitable, coroutine-workers, epoll-floor), whose
// number corio-crawl sets to the crawl's concurrency.
bool crawl_model_has_workers(const std::string& name);

}  // namespace corio_crawl
