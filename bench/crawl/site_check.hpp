// bench/crawl/site_check.hpp - did a crawl of the synthetic site find what it must?
//
// What it does: compares the URLs a crawl filled its frontier with against the site's own link
// graph (site.hpp, computed by a BFS over the same link lists its pages contain). A crawl of N
// pages from /page/0 must find min(N, reachable) distinct pages and nothing that is not a page; with
// N >= the reachable count it must find exactly the reachable set. Also gives the depth bound of
// the crawl's ideal time: fetching the N shallowest pages takes at least D_N + 1 sequential
// round trips (D_N: BFS depth of the N-th page in BFS order), so ideal_crawl = max(ceil(N/C),
// D_N + 1) * L.
// Threads, cancellation, buffers: plain computation on values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "crawl/frontier.hpp"
#include "crawl/site.hpp"

namespace corio_crawl {

struct site_check_result {
  std::size_t expected = 0;    // distinct pages the crawl must find: min(N, reachable)
  std::size_t found = 0;       // distinct site pages among the frontier's URLs
  std::size_t unexpected = 0;  // frontier URLs that are not pages of the site (must be 0)
  bool exact = false;          // N >= reachable and found is exactly the reachable set
  bool ok = false;             // found == expected and unexpected == 0
  std::uint32_t depth = 0;     // D_N (see the header comment)
  std::string verdict() const;  // "exact", "ok" or "mismatch: ..."
};

// The site is served at the root (/page/i), as corio-site serves it.
site_check_result check_crawl(const frontier& f, const corio_bench::site& s, std::size_t n);

}  // namespace corio_crawl
