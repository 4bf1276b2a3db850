// Link extraction with gumbo (httpkit/links.hpp).
#include "httpkit/links.hpp"

#include <corio/error.hpp>
#include <corio/http/error.hpp>

#include <gumbo.h>

#include <new>
#include <string>
#include <unordered_set>

#include "httpkit/tag_stream.hpp"

namespace corio_httpkit {

using corio::http::errc;
using corio::http::throw_error;
using corio::http::url;

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; }
bool is_alpha(char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

bool one_of(std::string_view name, std::initializer_list<std::string_view> set) {
  for (auto s : set) {
    if (s == name) return true;
  }
  return false;
}

// Elements that never hold children.
bool is_void(std::string_view n) {
  return one_of(n, {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                    "track", "wbr", "keygen", "frame", "basefont", "bgsound", "image"});
}
// Elements a following sibling closes implicitly, and the three fixed outer ones: none of them
// makes the open-element stack grow without bound.
bool does_not_nest(std::string_view n) {
  return one_of(n, {"p", "li", "dd", "dt", "option", "optgroup", "tr", "td", "th", "tbody", "thead", "tfoot",
                    "colgroup", "caption", "rb", "rt", "rtc", "rp", "html", "head", "body"});
}
// Elements whose content is text up to their end tag.
bool is_raw_text(std::string_view n) {
  return one_of(n, {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"});
}

// Finds "</name" case-insensitively from `from`; npos if absent.
std::size_t find_end_tag(std::string_view s, std::size_t from, std::string_view name) {
  for (std::size_t i = s.find("</", from); i != std::string_view::npos; i = s.find("</", i + 2)) {
    if (i + 2 + name.size() > s.size()) return std::string_view::npos;
    bool match = true;
    for (std::size_t k = 0; k < name.size() && match; ++k) match = lower(s[i + 2 + k]) == name[k];
    if (match) return i;
  }
  return std::string_view::npos;
}

// A linear over-approximation of the deepest element nesting gumbo will build (see links.hpp).
std::size_t estimate_nesting(std::string_view s) {
  std::size_t depth = 0, deepest = 0, foreign = 0;
  std::string name;
  std::size_t i = 0;
  while ((i = s.find('<', i)) != std::string_view::npos) {
    if (s.substr(i, 4) == "<!--") {
      std::size_t e = s.find("-->", i + 4);
      if (e == std::string_view::npos) break;
      i = e + 3;
      continue;
    }
    bool end_tag = i + 1 < s.size() && s[i + 1] == '/';
    std::size_t p = i + (end_tag ? 2 : 1);
    if (p >= s.size() || !is_alpha(s[p])) {
      if (p < s.size() && (s[p] == '!' || s[p] == '?')) {  // doctype, CDATA, processing instruction
        std::size_t e = s.find('>', p);
        if (e == std::string_view::npos) break;
        i = e + 1;
      } else {
        i = p;
      }
      continue;
    }
    name.clear();
    while (p < s.size() && s[p] != '>' && s[p] != '/' && static_cast<unsigned char>(s[p]) > ' ') name += lower(s[p++]);
    // The end of the tag: the first '>' outside a quoted attribute value.
    char quote = 0;
    while (p < s.size() && (quote || s[p] != '>')) {
      if (quote) {
        if (s[p] == quote) quote = 0;
      } else if (s[p] == '"' || s[p] == '\'') {
        quote = s[p];
      }
      ++p;
    }
    if (p >= s.size()) break;
    bool self_closing = s[p - 1] == '/';
    i = p + 1;
    if (end_tag) {
      if (name == "svg" || name == "math") foreign -= foreign > 0 ? 1 : 0;
      if (!is_void(name) && !does_not_nest(name) && depth > 0) --depth;
      continue;
    }
    if (is_void(name) || does_not_nest(name)) continue;
    if (self_closing && (foreign > 0 || name == "svg" || name == "math")) continue;  // "/>" only closes in SVG/MathML
    if (name == "svg" || name == "math") ++foreign;
    deepest = std::max(deepest, ++depth);
    if (foreign == 0 && is_raw_text(name)) {
      std::size_t e = find_end_tag(s, i, name);
      if (e == std::string_view::npos) break;
      i = e;  // the end tag is read next and closes the element
    }
  }
  return deepest;
}

struct gumbo_doc {
  GumboOptions options = kGumboDefaultOptions;
  GumboOutput* out = nullptr;
  explicit gumbo_doc(std::string_view html) {
    options.max_errors = 0;  // see links.hpp: recorded errors cost memory quadratic in the depth
    out = gumbo_parse_with_options(&options, html.data(), html.size());
    if (!out) throw std::bad_alloc();
  }
  ~gumbo_doc() { gumbo_destroy_output(&options, out); }
  gumbo_doc(const gumbo_doc&) = delete;
  gumbo_doc& operator=(const gumbo_doc&) = delete;
};

}  // namespace

std::vector<url> extract_links(std::string_view html, const url& page_url, const link_options& options,
                               link_stats* stats) {
  if (page_url.empty()) throw_error(errc::invalid_url, "extract_links: empty page URL");
  std::size_t nesting = estimate_nesting(html);
  if (nesting > options.max_nesting) {
    throw_error(errc::html_too_deep, "extract_links " + page_url.str() + ": elements nest about " +
                                         std::to_string(nesting) + " deep (limit " +
                                         std::to_string(options.max_nesting) + ")");
  }
  std::string stripped;
  if (options.strip_text) stripped = detail::strip_text(html);
  gumbo_doc doc(options.strip_text ? std::string_view(stripped) : html);

  // Walk the tree in document order, collecting hrefs; the base applies to all of them.
  std::vector<const char*> hrefs;
  const char* base_href = nullptr;
  std::vector<const GumboNode*> stack{doc.out->document};
  while (!stack.empty()) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    const GumboVector* children = nullptr;
    if (node->type == GUMBO_NODE_DOCUMENT) {
      children = &node->v.document.children;
    } else if (node->type == GUMBO_NODE_ELEMENT) {
      const GumboElement& e = node->v.element;
      bool wanted = e.tag == GUMBO_TAG_A || e.tag == GUMBO_TAG_AREA ||
                    (options.include_link_elements && e.tag == GUMBO_TAG_LINK);
      if (wanted || (e.tag == GUMBO_TAG_BASE && !base_href)) {
        if (const GumboAttribute* href = gumbo_get_attribute(&e.attributes, "href")) {
          if (e.tag == GUMBO_TAG_BASE) {
            base_href = href->value;
          } else {
            hrefs.push_back(href->value);
          }
        }
      }
      children = &e.children;
    }
    if (!children) continue;  // text, comments, and <template> contents (GUMBO_NODE_TEMPLATE)
    for (unsigned k = children->length; k-- > 0;) stack.push_back(static_cast<const GumboNode*>(children->data[k]));
  }

  url base_url = page_url;
  if (options.use_base_element && base_href) {
    std::error_code ec;
    if (auto b = page_url.resolve(base_href, ec)) base_url = std::move(*b);
  }

  link_stats st;
  std::vector<url> links;
  links.reserve(hrefs.size());
  std::unordered_set<std::string_view> seen;
  for (const char* h : hrefs) {
    ++st.hrefs;
    std::error_code ec;
    auto u = base_url.resolve(h, ec);
    if (!u) {
      ++(ec == errc::unsupported_scheme ? st.unsupported : st.invalid);
      continue;
    }
    if (options.deduplicate) {
      if (seen.count(u->str())) {
        ++st.duplicates;
        continue;
      }
    }
    links.push_back(std::move(*u));
    if (options.deduplicate) seen.insert(links.back().str());  // views stay valid: links is reserved
  }
  if (stats) *stats = st;
  return links;
}

}  // namespace corio_httpkit
