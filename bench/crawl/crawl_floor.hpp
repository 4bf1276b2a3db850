// bench/crawl/crawl_floor.hpp - the epoll-floor model: fetching the crawl workload's URL list
// (--list) with a hand-written single-threaded epoll state machine and no runtime at all.
//
// What it does: the floor that the issue's aims are measured against ("a hand-written
// single-threaded epoll state machine reaches about 0.38 s"), measured on this machine, side by
// side with the other clients: C connection slots (run_options::workers; default N), non-blocking
// connect and an immediate send, edge-triggered epoll, one receive buffer shared by every
// connection, the same request bytes and response parser as corio's clients, keep-alive reuse
// when the options ask for it. It has no deadlines, redirects or retries (see crawl_floor.cpp), so
// it does less than a real client: a floor, not a competitor.
// Which thread resumes you / cancellation / buffers: run() blocks the calling thread until every
// task has finished. List mode of crawl_workload only (anything else stops the run with an error).
#pragma once

#include <memory>

#include "models/model.hpp"

namespace corio_crawl {

std::unique_ptr<corio_models::model> make_epoll_floor_model();

}  // namespace corio_crawl
