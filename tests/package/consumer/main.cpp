// Three "requests" that each wait 100 ms run concurrently on one thread: about 0.1 s in total.
#include <corio/corio.hpp>

#include <chrono>
#include <cstdio>

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
  corio::runtime rt;  // io_uring if the kernel allows it, else Asio
  auto start = std::chrono::steady_clock::now();
  int pages = rt.block_on(crawl());
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  std::printf("fetched %d pages in %.3f s on %s\n", pages, took.count(), corio::to_string(rt.backend()));
}
