// bench/httpkit/links.hpp - the links of an HTML page, for the crawler benchmark.
//
// Benchmark code (target corio_bench_http, #include "httpkit/links.hpp"), not part of corio::http:
// not installed, and the only code that needs gumbo.
//
// What it does: parses the page with gumbo (Debian libgumbo-dev, an HTML5-conformant parser, so
// broken real-world markup is read the way browsers read it) and returns the href of every <a> and
// <area> element (and of <link> elements when asked), in document order, each resolved against the
// page's URL - or against the document's first <base href>, as browsers do - and normalised by
// corio/http/url.hpp (so fragments are gone and duplicates are recognisable). Links that cannot be
// fetched over http (mailto:, javascript:, https:, ftp:, ...) or cannot be parsed are skipped and
// counted, not thrown. Links in <template> contents are not links of the page and are skipped.
//
// strip_text: gumbo costs about 70 ns per byte, text included (measured here: 280 us for 4 KiB of
// text), though text never creates, removes or changes an element. With strip_text, a linear pass
// that follows the HTML5 tokenizer's tag states keeps every tag and doctype byte for byte and drops
// text (a run of it becomes one 'x': the tree builder still sees that text was there, which
// decides whether a later <frameset> replaces the body), comments and raw-text contents (script,
// style, title, ...), and gumbo parses the rest.
// Where the tree builder rather than the tag decides how tokenizing continues (<svg>, <math>,
// <select>, <frameset>, <plaintext>, "<!--" inside a script) the rest of the page goes to gumbo
// whole. The links found are the same; only with deduplicate off can the number of repeated links
// differ (text makes the tree builder clone open formatting elements such as <a>). Tests compare
// both modes on thousands of generated and real-world-shaped documents.
//
// Errors: corio::http::errc::html_too_deep (corio::error) when elements nest deeper than max_nesting. Why: gumbo's
// tree builder costs time quadratic in the nesting depth (every start tag scans the stack of open
// elements), so 1 MB of "<div>" would take minutes; browsers cap the depth too (Chromium at 512).
// The depth is estimated by a linear pre-scan of the tags before gumbo runs (end tags, void
// elements, elements with implied end tags such as <p> and <li>, self-closing tags in SVG and
// MathML, comments and raw text such as <script> are taken into account). Gumbo is also told not to
// record parse errors, which would otherwise copy the open-element stack for each error (quadratic
// memory). std::bad_alloc when memory runs out.
//
// Stack: gumbo frees its tree recursively, one frame per nesting level: at the default max_nesting
// (1024), extraction runs in a 64 KiB thread stack and crashes in 32 KiB (measured, -O2). Threads
// with smaller stacks must lower max_nesting.
//
// Threads: reentrant; any number of threads may extract links at once. Cancellation: not
// applicable (CPU only; run it off the event loop with spawn_blocking if pages are large).
// Buffers: `html` need only live for the call; the returned URLs own their text.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include <corio/http/url.hpp>

namespace corio_httpkit {

struct link_options {
  bool include_link_elements = false;  // also <link href> (stylesheets, alternates, icons)
  bool use_base_element = true;        // resolve against <base href> when the page has one
  bool deduplicate = true;             // each URL at most once, at its first occurrence
  std::size_t max_nesting = 1024;      // deeper: corio::http::errc::html_too_deep
  // Hand gumbo only the document's tags, without its text (see below): the same links, several
  // times faster on text-heavy pages. Off: gumbo reads every byte.
  bool strip_text = false;
};

struct link_stats {
  std::size_t hrefs = 0;           // href attributes seen on the selected elements
  std::size_t unsupported = 0;     // skipped: not http (mailto:, javascript:, https:, ...)
  std::size_t invalid = 0;         // skipped: not a valid URL (bad host, port, escape, ...)
  std::size_t duplicates = 0;      // skipped: same URL as an earlier link (when deduplicating)
};

std::vector<corio::http::url> extract_links(std::string_view html, const corio::http::url& page_url,
                                           const link_options& options = {}, link_stats* stats = nullptr);

}  // namespace corio_httpkit
