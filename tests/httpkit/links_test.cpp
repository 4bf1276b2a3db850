// corio_httpkit::extract_links (bench/httpkit/links.hpp): real-world markup through gumbo,
// resolution, skipping, limits.
#include <doctest/doctest.h>

#include <ostream>  // doctest prints std::error_code with it

#include <corio/error.hpp>
#include <corio/http/error.hpp>
#include <corio/http/url.hpp>

#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "httpkit/links.hpp"

using corio::http::errc;
using corio::http::url;
using corio_httpkit::extract_links;
using corio_httpkit::link_options;
using corio_httpkit::link_stats;

namespace {
std::vector<std::string> strs(const std::vector<url>& v) {
  std::vector<std::string> out;
  for (const auto& u : v) out.push_back(u.str());
  return out;
}
std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}
}  // namespace

TEST_SUITE("httpkit.links") {
  TEST_CASE("hrefs of <a> and <area>, resolved, normalised, in document order, deduplicated") {
    const char* html = R"html(<!DOCTYPE html><html><head><title>t</title>
      <link rel="stylesheet" href="/style.css"></head><body>
      <a href="a.html">a</a>
      <A HREF="../up/b.html#section">b</A>
      <a href=/abs?x=1&amp;y=2>unquoted, entity</a>
      <p>text <a href="http://other.example:8080/x">other host</a>
      <a href="https://secure.example/">https</a>
      <a href="mailto:me@example.com">mail</a>
      <a href="javascript:void(0)">js</a>
      <a href="http://bad:99999/">bad port</a>
      <a href="#top">self</a>
      <a>no href</a>
      <a href="a.html#again">duplicate</a>
      <map><area href="area.html" alt=""></map>
      <template><a href="/in-template">not a link of this page</a></template>
      <div><ul><li><a href="  spaced.html  ">spaced</a>
    </body></html>)html";
    url page = url::parse("http://example.com/dir/page.html");
    link_stats st;
    auto links = extract_links(html, page, {}, &st);
    CHECK(strs(links) == std::vector<std::string>{
                             "http://example.com/dir/a.html",
                             "http://example.com/up/b.html",
                             "http://example.com/abs?x=1&y=2",
                             "http://other.example:8080/x",
                             "http://example.com/dir/page.html",
                             "http://example.com/dir/area.html",
                             "http://example.com/dir/spaced.html",
                         });
    CHECK(st.hrefs == 12);
    CHECK(st.unsupported == 3);
    CHECK(st.invalid == 1);
    CHECK(st.duplicates == 1);

    link_options with_link;
    with_link.include_link_elements = true;
    with_link.deduplicate = false;
    auto all = strs(extract_links(html, page, with_link));
    REQUIRE(all.size() == 9);
    CHECK(all[0] == "http://example.com/style.css");
    CHECK(all[2] == "http://example.com/up/b.html");
    CHECK(all[1] == "http://example.com/dir/a.html");
    CHECK(all[6] == "http://example.com/dir/a.html");
  }

  TEST_CASE("<base href> changes the base URL, unless told otherwise") {
    const char* html = R"(<html><head><base href="/other/dir/"></head><body>
      <a href="x">x</a><base href="/ignored/"><a href="/y">y</a></body></html>)";
    url page = url::parse("http://h/p/q.html");
    CHECK(strs(extract_links(html, page)) == std::vector<std::string>{"http://h/other/dir/x", "http://h/y"});
    link_options no_base;
    no_base.use_base_element = false;
    CHECK(strs(extract_links(html, page, no_base)) == std::vector<std::string>{"http://h/p/x", "http://h/y"});
    // A base that cannot be used (https) is ignored.
    CHECK(strs(extract_links(R"(<base href="https://h/"><a href="x">)", page)) ==
          std::vector<std::string>{"http://h/p/x"});
  }

  TEST_CASE("broken markup is read the way browsers read it") {
    const char* html = "<a href='one'>1<a href=two>2<table><tr><td><a href=\"three\">3</table><b><i>"
                       "<a href=four>4</b></i><a href=\"fi\nve\">5<!-- <a href=comment> --><script>"
                       "document.write('<a href=script>')</script><a href=six";  // unterminated tag at EOF
    auto links = strs(extract_links(html, url::parse("http://h/")));
    CHECK(links == std::vector<std::string>{"http://h/one", "http://h/two", "http://h/three", "http://h/four",
                                            "http://h/five"});
  }

  TEST_CASE("empty, text-only and binary input") {
    url page = url::parse("http://h/");
    CHECK(extract_links("", page).empty());
    CHECK(extract_links("just text, no markup < > & at all", page).empty());
    std::mt19937 rng(42);
    std::string noise(64 * 1024, '\0');
    for (auto& c : noise) c = static_cast<char>(rng());
    noise += "<a href=\"found\">";
    auto links = extract_links(noise, page);  // must not crash; the trailing link may or may not survive
    CHECK(links.size() <= 1);
    CHECK_THROWS_AS(extract_links("<a href=x>", url{}), corio::error);
  }

  TEST_CASE("deep nesting is refused quickly instead of taking quadratic time") {
    url page = url::parse("http://h/");
    auto start = std::chrono::steady_clock::now();
    for (std::string_view open : {"<div>", "<span>", "<b>", "<div/>", "<svg><g>"}) {
      CAPTURE(open);
      std::string deep = "<html><body>" + repeat(open, 50'000) + "<a href=x>x</a>";
      try {
        extract_links(deep, page);
        FAIL("accepted");
      } catch (const corio::error& e) {
        CHECK(e.code() == errc::html_too_deep);
      }
    }
    // Refusing is cheap (a linear pre-scan): far below gumbo's minutes on this input.
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));

    // Not deep: closed elements, elements with implied end tags, void and self-closing SVG elements,
    // tags inside comments and scripts.
    std::string wide = "<html><body>" + repeat("<div><span>t</span></div>", 5000) + repeat("<p>para", 5000) +
                       repeat("<li>item", 5000) + repeat("<br><img src=x>", 5000) + "<svg>" +
                       repeat("<path d='M0 0'/>", 5000) + "</svg><!--" + repeat("<div>", 5000) + "-->" + "<script>" +
                       repeat("<div>", 5000) + "</script>" + repeat("<td>c", 5000) + "<a href=end>end</a>";
    CHECK(strs(extract_links(wide, page)) == std::vector<std::string>{"http://h/end"});

    // The limit is a setting.
    std::string hundred = repeat("<div>", 100) + "<a href=x>";
    CHECK(extract_links(hundred, page).size() == 1);
    link_options tight;
    tight.max_nesting = 50;
    CHECK_THROWS_AS(extract_links(hundred, page, tight), corio::error);
  }
}
