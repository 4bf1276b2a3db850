// Checking a crawl against the synthetic site (site_check.hpp).
#include "crawl/site_check.hpp"

#include <vector>

#include <corio/http/url.hpp>

namespace corio_crawl {

std::string site_check_result::verdict() const {
  if (exact) return "exact";
  if (ok) return "ok";
  return "mismatch: found " + std::to_string(found) + " of " + std::to_string(expected) + " pages, " +
         std::to_string(unexpected) + " unexpected URLs";
}

site_check_result check_crawl(const frontier& f, const corio_bench::site& s, std::size_t n) {
  site_check_result r;
  const std::vector<std::uint64_t> order = s.bfs_order();  // the reachable pages, shallowest first
  const std::vector<std::uint32_t> depth = s.depths();
  r.expected = std::min(n, order.size());
  if (r.expected > 0) r.depth = depth[order[r.expected - 1]];
  std::vector<bool> seen(s.pages());
  const std::size_t filled = f.filled();
  for (std::size_t i = 0; i < filled; ++i) {
    std::error_code ec;
    auto u = corio::http::url::parse(f.url_of(i), ec);
    auto page = u ? s.page_of(u->target()) : std::nullopt;
    if (!page || seen[*page]) {
      ++r.unexpected;  // not a page, or the same page twice (the frontier de-duplicates: a bug)
      continue;
    }
    seen[*page] = true;
    ++r.found;
  }
  r.ok = r.found == r.expected && r.unexpected == 0;
  if (r.ok && n >= order.size()) {
    r.exact = true;
    for (std::uint64_t p : order) r.exact = r.exact && seen[p];
  }
  return r;
}

}  // namespace corio_crawl
