// Three "requests" that each wait 100 ms run concurrently on one thread: about 0.1 s in total.
// Uses corio::corio (runtime, timers, when_all, version) and corio::http (URL parsing).
#include <corio/corio.hpp>
#include <corio/http/url.hpp>

#include <chrono>
#include <cstdio>
#include <string>

using namespace std::chrono_literals;

corio::task<int> fetch(int page) {
  co_await corio::sleep_for(100ms);  // stands in for network latency
  co_return page;
}

corio::task<int> crawl() {
  auto [a, b, c] = co_await corio::when_all(fetch(1), fetch(2), fetch(3));
  co_return a + b + c == 6 ? 3 : -1;
}

int main() {
  // The headers this program was compiled with and the library it runs with are the same version.
  if (std::string(corio::version()) != CORIO_VERSION_STRING) {
    std::printf("corio headers %s, library %s\n", CORIO_VERSION_STRING, corio::version());
    return 1;
  }
  auto start_url = corio::http::url::parse("http://Example.COM:80/a/./b/../c?q#frag");
  if (start_url.str() != "http://example.com/a/c?q") {
    std::printf("unexpected url %s\n", start_url.str().c_str());
    return 1;
  }
  corio::runtime rt;  // io_uring if the kernel allows it, else Asio
  auto start = std::chrono::steady_clock::now();
  int pages = rt.block_on(crawl());
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  std::printf("fetched %d pages of %.*s in %.3f s on %s (corio %s)\n", pages, static_cast<int>(start_url.host().size()),
              start_url.host().data(), took.count(),
              corio::to_string(rt.backend()), corio::version());
}
