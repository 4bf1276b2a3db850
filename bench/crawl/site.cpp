// The deterministic synthetic site (site.hpp).
#include "site.hpp"

#include <deque>
#include <stdexcept>

namespace corio_bench {
namespace {

std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

const char* const kFiller =
    "The quick brown crawler fetched a page, parsed its links and queued the ones it had not seen. ";

}  // namespace

site::site(site_params p) : p_(p) {
  if (p_.pages < 1 || p_.pages > (std::uint64_t{1} << 32)) {
    throw std::invalid_argument("site: pages must be in 1..4294967296, got " + std::to_string(p_.pages));
  }
  if (p_.links > 10000) throw std::invalid_argument("site: links must be at most 10000, got " + std::to_string(p_.links));
  if (p_.page_bytes > (std::size_t{64} << 20)) {
    throw std::invalid_argument("site: page_bytes must be at most 64 MiB, got " + std::to_string(p_.page_bytes));
  }
}

std::uint64_t site::target(std::uint64_t i, unsigned k) const noexcept {
  return splitmix64(splitmix64(p_.seed ^ splitmix64(i)) + k) % p_.pages;
}

std::vector<std::uint64_t> site::links_of(std::uint64_t i) const {
  std::vector<std::uint64_t> out;
  out.reserve(p_.links + 1);
  for (unsigned k = 0; k < p_.links; ++k) out.push_back(target(i, k));
  if (i + 1 < p_.pages) out.push_back(i + 1);
  return out;
}

std::string site::path_of(std::uint64_t i) { return "/page/" + std::to_string(i); }

std::string site::page(std::uint64_t i) const {
  if (i >= p_.pages) throw std::out_of_range("site: page " + std::to_string(i) + " of " + std::to_string(p_.pages));
  std::string n = std::to_string(i);
  std::string html;
  html.reserve(p_.page_bytes + 64 * (p_.links + 8));
  html += "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Page ";
  html += n;
  html += "</title></head>\n<body>\n<h1 id=\"top\">Page ";
  html += n;
  html += "</h1>\n<ul>\n";
  auto links = links_of(i);
  for (std::size_t k = 0; k < links.size(); ++k) {
    std::string j = std::to_string(links[k]);
    html += "<li><a href=\"";
    switch (splitmix64(p_.seed + i * 7919 + k) % 6) {  // equivalent spellings of /page/j
      case 0: html += "/page/" + j; break;
      case 1: html += j; break;
      case 2: html += "./" + j; break;
      case 3: html += "../page/" + j; break;
      case 4: html += "/page/" + j + "#s" + std::to_string(k); break;
      default: html += "/page/./" + j + "?"; break;
    }
    html += "\">page ";
    html += j;
    html += "</a></li>\n";
  }
  html += "</ul>\n";
  if (p_.decoys) {
    html += "<p><a href=\"https://example.com/page/" + n + "\">secure</a> <a href=\"mailto:crawler@example.com\">mail</a> "
            "<a href=\"javascript:void(0)\">script</a> <a href=\"http://elsewhere.invalid/page/" + n +
            "\">elsewhere</a> <a href=\"#top\">top</a></p>\n";
  }
  const std::string tail = "</body></html>\n";
  std::string_view filler(kFiller);
  if (html.size() + tail.size() + 8 < p_.page_bytes) {
    html += "<p>";
    std::size_t want = p_.page_bytes - tail.size() - 5;  // 5: "</p>\n"
    while (html.size() < want) html += filler.substr(0, want - html.size());
    html += "</p>\n";
  }
  html += tail;
  return html;
}

std::optional<std::uint64_t> site::page_of(std::string_view t) const {
  constexpr std::string_view prefix = "/page/";
  if (t.substr(0, prefix.size()) != prefix) return std::nullopt;
  t.remove_prefix(prefix.size());
  t = t.substr(0, t.find('?'));
  if (t.empty() || t.size() > 20 || (t.size() > 1 && t[0] == '0')) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : t) {
    if (c < '0' || c > '9') return std::nullopt;
    std::uint64_t d = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  if (v >= p_.pages) return std::nullopt;
  return v;
}

std::vector<std::uint32_t> site::depths() const {
  std::vector<std::uint32_t> depth(p_.pages, UINT32_MAX);
  std::deque<std::uint64_t> queue{0};
  depth[0] = 0;
  while (!queue.empty()) {
    std::uint64_t i = queue.front();
    queue.pop_front();
    for (std::uint64_t j : links_of(i)) {
      if (depth[j] == UINT32_MAX) {
        depth[j] = depth[i] + 1;
        queue.push_back(j);
      }
    }
  }
  return depth;
}

std::vector<std::uint64_t> site::bfs_order() const {
  std::vector<bool> seen(p_.pages);
  std::vector<std::uint64_t> order{0};
  seen[0] = true;
  for (std::size_t head = 0; head < order.size(); ++head) {
    for (std::uint64_t j : links_of(order[head])) {
      if (!seen[j]) {
        seen[j] = true;
        order.push_back(j);
      }
    }
  }
  return order;
}

std::vector<std::uint64_t> site::reachable_from_zero(std::uint32_t max_depth) const {
  auto d = depths();
  std::vector<std::uint64_t> out;
  for (std::uint64_t i = 0; i < p_.pages; ++i) {
    if (d[i] <= max_depth) out.push_back(i);
  }
  return out;
}

}  // namespace corio_bench
