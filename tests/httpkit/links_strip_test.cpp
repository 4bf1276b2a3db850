// link_options::strip_text must find the same links as parsing the whole page: a differential test
// over thousands of generated documents built from the constructs where a text-skipping scanner
// could go wrong (quotes and '>' in attributes, comments of every shape, raw-text elements with
// fake tags inside, escaped scripts, foreign content, <select>, tables, misnested formatting,
// truncation anywhere), plus the synthetic site's pages and a few real-world-shaped pages.
#include <doctest/doctest.h>

#include <ostream>  // doctest prints std::error_code with it

#include <corio/http/url.hpp>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "crawl/site.hpp"
#include "httpkit/links.hpp"

using corio::http::url;
using corio_httpkit::extract_links;
using corio_httpkit::link_options;

namespace {

std::vector<std::string> strs(const std::vector<url>& v) {
  std::vector<std::string> out;
  for (const auto& u : v) out.push_back(u.str());
  return out;
}

// Both modes, deduplicated (same list, same order) and not (same set of links).
void check_same_links(const std::string& html, const url& page) {
  CAPTURE(html);
  link_options exact, fast;
  exact.include_link_elements = fast.include_link_elements = true;
  fast.strip_text = true;
  CHECK(strs(extract_links(html, page, fast)) == strs(extract_links(html, page, exact)));
  exact.deduplicate = fast.deduplicate = false;
  auto a = strs(extract_links(html, page, fast)), b = strs(extract_links(html, page, exact));
  CHECK(std::set<std::string>(a.begin(), a.end()) == std::set<std::string>(b.begin(), b.end()));
}

// {n} in a fragment becomes a number unique to the document, so a lost link shows.
const char* const kFragments[] = {
    "<a href=\"/q{n}\">t</a>",
    "<a href='/q{n}'>",
    "<a href=/q{n}>",
    "<A HREF=/q{n} title='x>y'>",
    "<a title=\"a>b\" href=/q{n}>",
    "<a href=/q{n}\"x>",
    "<a x=\"y\"href=/q{n}>",
    "<a/href=/q{n}>",
    "<a =x href=/q{n}>",
    "<a href = \"/q{n}\" >",
    "<a href=/q{n}/>",
    "<a\nhref\n=\n'/q{n}'\n>",
    "<a href=/q{n} <b>",
    "<a href=\"/q{n}\"/ x>",
    "<area href=/q{n}>",
    "<link href=/q{n}>",
    "<base href=/b{n}/>",
    "text & more < less <3 a<b ",
    "<!-- <a href=/c{n}> -->",
    "<!--> <a href=/q{n}>",
    "<!---> <a href=/q{n}>",
    "<!-- x --!> <a href=/q{n}>",
    "<!-- a -- b <!-- c --->",
    "<!DOCTYPE html>",
    "<!doctype html public \"x>y\">",
    "<![CDATA[ <a href=/c{n}> ]]>",
    "<?php echo '<a href=/c{n}>'; ?>",
    "<!x <a href=/c{n}>",
    "</ x>",
    "</>",
    "</3>",
    "</a href=/c{n}>",
    "<script>document.write('<a href=/s{n}>')</script>",
    "<script><!-- <script> </script> <a href=/e{n}> --></script>",
    "<script>var a = '</scripts>'; <a href=/s{n}></script >",
    "<SCRIPT type=x>if (a<b) {}</SCRIPT/>",
    "<style>a{} <a href=/s{n}></style/>",
    "<textarea><a href=/s{n}></textarea>",
    "<title><a href=/s{n}></title>",
    "<xmp><a href=/s{n}></xmp>",
    "<iframe><a href=/s{n}></iframe>",
    "<noembed><a href=/s{n}></noembed>",
    "<noframes><a href=/s{n}></noframes>",
    "<noscript><a href=/q{n}></noscript>",
    "<select><option><style></select><a href=/q{n}></style></select>",
    "<svg><a href=/q{n}><title><a href=/q{n}x></title></svg>",
    "<math><mi><a href=/q{n}></mi><![CDATA[<a href=/c{n}>]]></math>",
    "<table><tr><td><a href=/q{n}>x</td>text<a href=/q{n}y></table>",
    "<table>text<style><a href=/s{n}></style><textarea>t</textarea><col>x</table>",
    "<b><a href=/q{n}><p>x</b>y</a>",
    "<a href=/q{n}><table>text<a href=/q{n}z></table>",
    "<a href=/q{n}><div>text</a>more",
    "<template><a href=/t{n}></template>",
    "<frameset><noframes><a href=/q{n}></noframes></frameset>",
    "<div>",
    "</div>",
    "<p>",
    "</p>",
    "<ul><li>",
    "<span>",
    "</span>",
    "</body>",
    "</html>",
    "<head>",
    "<body>",
    "<a href=\"/q{n}?a=1&amp;b=2&lt;\">",
    "&lt;a href=/x&gt;",
    "<a href=\"javascript:x\">",
    "<a href=\"https://h/{n}\">",
    "<a href=\"//other.example/{n}\">",
    "<plaintext><a href=/p{n}>",
    " ",
    "\n",
};

}  // namespace

TEST_SUITE("httpkit.links") {
  TEST_CASE("strip_text finds the same links: generated documents") {
    url page = url::parse("http://h/dir/page");
    std::mt19937 rng(20261125);
#ifdef __SANITIZE_ADDRESS__
    constexpr int kDocs = 1000;  // ASan makes gumbo ~10x slower; the release build runs 3,000
#else
    constexpr int kDocs = 3000;
#endif
    const std::size_t kinds = sizeof kFragments / sizeof kFragments[0];
    for (int d = 0; d < kDocs; ++d) {
      std::string doc;
      int parts = 1 + static_cast<int>(rng() % 25);
      for (int k = 0; k < parts; ++k) {
        std::string f = kFragments[rng() % kinds];
        for (std::size_t at; (at = f.find("{n}")) != std::string::npos;) f.replace(at, 3, std::to_string(k));
        doc += f;
      }
      if (rng() % 4 == 0) doc.resize(rng() % (doc.size() + 1));  // the page ends anywhere
      check_same_links(doc, page);
    }
  }

  TEST_CASE("strip_text finds the same links: site pages and real-world-shaped pages") {
    for (unsigned k : {0u, 3u, 20u}) {
      for (std::size_t bytes : {200ul, 4096ul}) {
        corio_bench::site_params p;
        p.pages = 500;
        p.links = k;
        p.page_bytes = bytes;
        corio_bench::site s(p);
        for (std::uint64_t i : {0ULL, 1ULL, 250ULL, 499ULL}) {
          check_same_links(s.page(i), url::parse("http://127.0.0.1:8080" + corio_bench::site::path_of(i)));
        }
      }
    }
    const char* page = R"html(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>News &amp; <Views></title>
<link rel="stylesheet" href="/css/main.css?v=3"><link rel="icon" href=/favicon.ico>
<script async src="/js/app.js"></script>
<script>window.dataLayer = []; if (a < b && c > d) { document.write("<a href='/fake'>"); }</script>
<style>.nav > a[href^="/x"] { color: red } /* <a href="/fake2"> */</style>
<base href="/news/"></head>
<body class=home><header><nav><ul>
<li><a href="./">Home</a><li><a href=world/ class="x">World</a><li><a href='../about?x=1&y=2'>About</a>
</ul></nav></header><main><article><h1>Title</h1><p>Some text with <b>bold <i>and</b> italic</i> and a
<a href="story-1.html#comments" title="Read > more">link</a>. Unclosed <p>paragraph <a href=story-2.html>two
<table><tr><td>cell <a href="/tables/1">t</a><td>more</table>
<form action="/search"><input name=q><select name=s><option>a<option>b</select><textarea>
<a href="/not-a-link">default text</a></textarea></form>
<svg width="10" height="10"><a href="/svg-link"><circle r="4"/></a></svg>
<!-- <a href="/commented-out"> --><template><a href="/template">x</a></template>
<p>Contact: <a href="mailto:a@b.c">mail</a> &middot; <a href="https://secure.example/">tls</a>
<a href="javascript:void(0)" onclick="x('<a href=/onclick>')">js</a></p></article></main>
<footer><a href="/terms">Terms</a> | <a href=/privacy>Privacy</a></footer></body></html>)html";
    check_same_links(page, url::parse("http://example.com/index.html"));
    // And the text is really gone from what gumbo reads: the same 6 links from a page that is
    // mostly text.
    std::string text_heavy = "<html><body>";
    for (int i = 0; i < 6; ++i) text_heavy += "<p>" + std::string(2000, 'x') + "<a href=/l" + std::to_string(i) + ">l</a>";
    link_options fast;
    fast.strip_text = true;
    CHECK(extract_links(text_heavy, url::parse("http://h/"), fast).size() == 6);
  }
}
