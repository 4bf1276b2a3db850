// The timer queue (sorted run + 4-ary heap) against a brute-force reference: random pushes (in
// order and out of order), cancellations and pops must always agree on the earliest deadline.
#include <doctest/doctest.h>

#include <corio/detail/timer_heap.hpp>

#include <algorithm>
#include <climits>
#include <random>
#include <vector>

using corio::detail::timer_heap;
using corio::detail::timer_node;

TEST_CASE("timer queue: random pushes, erasures and pops agree with a reference") {
  std::mt19937_64 rng(20261125);
  for (int round = 0; round < 50; ++round) {
    timer_heap h;
    std::vector<timer_node> nodes(1000);
    std::vector<int> live;
    long long now = 0;
    for (int step = 0; step < 5000; ++step) {
      const int op = static_cast<int>(rng() % 10);
      if (op < 5) {
        int i = static_cast<int>(rng() % nodes.size());
        if (nodes[i].queued()) continue;
        // Two thirds arrive in deadline order (the run), one third anywhere (the heap).
        nodes[i].deadline = rng() % 3 == 0 ? now + static_cast<long long>(rng() % 1000) : now + 1000 + step;
        h.push(nodes[i]);
        live.push_back(i);
      } else if (op < 7 && !live.empty()) {
        std::size_t k = rng() % live.size();
        h.erase(nodes[live[k]]);
        REQUIRE_FALSE(nodes[live[k]].queued());
        live.erase(live.begin() + static_cast<long>(k));
      } else if (!live.empty()) {
        long long earliest = LLONG_MAX;
        for (int i : live) earliest = std::min(earliest, static_cast<long long>(nodes[i].deadline));
        REQUIRE(h.next_deadline() == earliest);
        timer_node* n = h.pop();
        REQUIRE(n->deadline == earliest);
        REQUIRE_FALSE(n->queued());
        live.erase(std::find(live.begin(), live.end(), static_cast<int>(n - nodes.data())));
        now = n->deadline;
      }
      REQUIRE(h.size() == live.size());
      REQUIRE(h.empty() == live.empty());
    }
  }
}

TEST_CASE("timer queue: a million in-order timers, with every other one cancelled") {
  timer_heap h;
  std::vector<timer_node> nodes(1'000'000);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    nodes[i].deadline = static_cast<long long>(i / 3);  // non-decreasing, with ties
    h.push(nodes[i]);
  }
  for (std::size_t i = 0; i < nodes.size(); i += 2) h.erase(nodes[i]);
  std::size_t popped = 0;
  long long last = -1;
  while (!h.empty()) {
    timer_node* n = h.pop();
    CHECK((n - nodes.data()) % 2 == 1);
    REQUIRE(n->deadline >= last);
    last = n->deadline;
    ++popped;
  }
  CHECK(popped == 500'000);
}
