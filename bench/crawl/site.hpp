// bench/crawl/site.hpp - the deterministic synthetic site the crawler benchmark crawls.
//
// What it does: pure logic, no IO (the site server of phase 2 serves it; tests check crawls
// against it). Page i of N, at /page/i, is an HTML page of about page_bytes bytes whose links are:
//   - K = `links` pages chosen by a hash of (seed, i, k), k = 0..K-1 (repeats and self-links can
//     happen, as on real sites), then
//   - page i+1 when i+1 < N, so every page is reachable from /page/0.
// The links are spelt in several equivalent ways ("/page/j", "j", "./j", "../page/j",
// "/page/j#s", "/page/./j?") so that a crawler must resolve and normalise URLs to de-duplicate
// them. With `decoys`, each page also links to things a crawler must not fetch or count twice:
// https://, mailto:, javascript:, a page on another host (http://elsewhere.invalid/...) and its
// own "#top". Relative links assume the site is served at the root (/page/i).
// reachable_from_zero() answers "which pages does a crawl from /page/0 find" by a BFS over the same
// link lists the pages contain (tests also check that the HTML and links_of() agree).
//
// Bad input: site_params out of range throws std::invalid_argument naming the parameter; page(i)
// with i >= pages throws std::out_of_range.
// Threads: const member functions may be called from any number of threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace corio_bench {

struct site_params {
  std::uint64_t pages = 1000;     // N, 1 .. 2^32
  std::size_t page_bytes = 4096;  // B, about this many bytes per page (at least what the links need), <= 64 MiB
  unsigned links = 8;             // K hashed links per page, <= 10000
  std::uint64_t seed = 0;         // another seed, another link graph
  bool decoys = true;             // add the links a crawler must skip (see above)
};

class site {
 public:
  explicit site(site_params p);

  const site_params& params() const noexcept { return p_; }
  std::uint64_t pages() const noexcept { return p_.pages; }

  // The pages page i links to, in the order the HTML lists them (K hashed ones, then i+1).
  std::vector<std::uint64_t> links_of(std::uint64_t i) const;

  // The HTML of page i.
  std::string page(std::uint64_t i) const;

  // "/page/<i>" (the path that serves page i).
  static std::string path_of(std::uint64_t i);

  // The page a request-target names: "/page/17" or "/page/17?anything" -> 17 when 17 < N;
  // nullopt otherwise (other paths, leading zeros, signs, i >= N, overflow).
  std::optional<std::uint64_t> page_of(std::string_view target) const;

  // Pages reachable from page 0 in at most max_depth link hops, sorted.
  std::vector<std::uint64_t> reachable_from_zero(std::uint32_t max_depth = UINT32_MAX) const;

  // Breadth-first order from page 0 (links followed in page order), and each page's distance from
  // page 0 in links (UINT32_MAX: unreachable; cannot happen with the i+1 links, tests check it).
  std::vector<std::uint64_t> bfs_order() const;
  std::vector<std::uint32_t> depths() const;

 private:
  std::uint64_t target(std::uint64_t i, unsigned k) const noexcept;
  site_params p_;
};

}  // namespace corio_bench
