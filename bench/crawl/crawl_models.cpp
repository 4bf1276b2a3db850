// Every model corio-crawl can run (crawl_models.hpp).
#include "crawl/crawl_models.hpp"

#include <stdexcept>

#include "crawl/crawl_asio.hpp"
#include "crawl/crawl_floor.hpp"
#include "crawl/crawl_workers.hpp"

namespace corio_crawl {

std::unique_ptr<corio_models::model> make_crawl_model(const std::string& name) {
  if (name == "asio-awaitable") return make_asio_awaitable_model();
  if (name == "epoll-floor") return make_epoll_floor_model();
  if (name == "coroutine-workers-uring") return make_coroutine_workers_model(corio::backend_kind::io_uring);
  if (name == "coroutine-workers-asio") return make_coroutine_workers_model(corio::backend_kind::asio);
  try {
    return corio_models::make_model(name);
  } catch (const std::invalid_argument&) {
    std::string known;
    for (auto& n : crawl_model_names()) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown model '" + name + "' (known: " + known + ")");
  }
}

std::vector<std::string> crawl_model_names() {
  std::vector<std::string> v = corio_models::model_names();
  for (const char* n : {"asio-awaitable", "coroutine-workers-uring", "coroutine-workers-asio", "epoll-floor"}) v.push_back(n);
  return v;
}

bool crawl_model_has_workers(const std::string& n) {
  return n == "thread-pool" || n == "process-pool" || n == "coroutine-offload" || n == "asio-awaitable" ||
         n == "epoll-floor" || n == "coroutine-workers-uring" || n == "coroutine-workers-asio";
}

}  // namespace corio_crawl
