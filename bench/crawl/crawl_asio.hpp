// bench/crawl/crawl_asio.hpp - the asio-awaitable reference model: the crawl written with plain
// standalone Asio (asio::co_spawn, asio::awaitable, use_awaitable), what a C++ programmer would
// pick instead of corio.
//
// What it does: a corio_models::model that runs crawl_workload's tasks on one asio::io_context
// thread with C worker coroutines (run_options::workers; default N) taking task indices in order.
// Each task is the same fetch as corio's client (same request bytes, the same response parser,
// redirects, keep-alive pool, read-buffer sizing, link extraction and frontier), written as Asio
// users write it: async_connect / async_write / async_read_some with use_awaitable, and one
// steady_timer per request whose expiry cancels the socket (the request deadline). Only the
// waiting differs from the corio models. It measures through corio_models::run_model like every
// other model.
// Which thread resumes you / cancellation / buffers: run() blocks the calling thread until every
// task has finished; it runs only crawl_workload (another workload stops the run with an error).
#pragma once

#include <memory>

#include "models/model.hpp"

namespace corio_crawl {

std::unique_ptr<corio_models::model> make_asio_awaitable_model();

}  // namespace corio_crawl
