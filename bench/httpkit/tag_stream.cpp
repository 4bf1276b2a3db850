// The tags of an HTML document without its text (tag_stream.hpp).
#include "httpkit/tag_stream.hpp"

namespace corio_httpkit::detail {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool is_alpha(char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; }

bool starts_with_nocase(std::string_view s, std::size_t at, std::string_view word) {
  if (at + word.size() > s.size()) return false;
  for (std::size_t k = 0; k < word.size(); ++k) {
    if (lower(s[at + k]) != word[k]) return false;
  }
  return true;
}

bool one_of(std::string_view name, std::initializer_list<std::string_view> set) {
  for (auto s : set) {
    if (s == name) return true;
  }
  return false;
}

// The tag that starts at s[i] ("<name" or "</name", name starting with a letter): returns the
// index just past its '>' (npos when the document ends inside it: the tokenizer drops such a tag),
// and its lower-case name. States of HTML5 13.2.5.8-13.2.5.40.
std::size_t scan_tag(std::string_view s, std::size_t i, std::string& name) {
  enum class st { name, before_attr, attr_name, after_attr, before_value, dq, sq, unquoted, after_quoted, self_closing };
  std::size_t p = i + 1 + (s[i + 1] == '/' ? 1 : 0);
  name.clear();
  st state = st::name;
  for (; p < s.size(); ++p) {
    char c = s[p];
    switch (state) {
      case st::name:
        if (is_space(c)) state = st::before_attr;
        else if (c == '/') state = st::self_closing;
        else if (c == '>') return p + 1;
        else name += lower(c);
        break;
      case st::before_attr:
        if (is_space(c)) break;
        if (c == '/' || c == '>') {
          state = st::after_attr;
          --p;  // reconsume
        } else {
          state = st::attr_name;  // '=' here starts a name too
        }
        break;
      case st::attr_name:
        if (is_space(c) || c == '/' || c == '>') {
          state = st::after_attr;
          --p;
        } else if (c == '=') {
          state = st::before_value;
        }
        break;
      case st::after_attr:
        if (is_space(c)) break;
        if (c == '/') state = st::self_closing;
        else if (c == '=') state = st::before_value;
        else if (c == '>') return p + 1;
        else state = st::attr_name;
        break;
      case st::before_value:
        if (is_space(c)) break;
        if (c == '"') state = st::dq;
        else if (c == '\'') state = st::sq;
        else if (c == '>') return p + 1;
        else state = st::unquoted;
        break;
      case st::dq:
        if (c == '"') state = st::after_quoted;
        break;
      case st::sq:
        if (c == '\'') state = st::after_quoted;
        break;
      case st::unquoted:
        if (is_space(c)) state = st::before_attr;
        else if (c == '>') return p + 1;
        break;
      case st::after_quoted:
        if (is_space(c)) state = st::before_attr;
        else if (c == '/') state = st::self_closing;
        else if (c == '>') return p + 1;
        else {
          state = st::before_attr;
          --p;
        }
        break;
      case st::self_closing:
        if (c == '>') return p + 1;
        state = st::before_attr;
        --p;
        break;
    }
  }
  return std::string_view::npos;
}

// Where the raw text of element `name` that starts at `from` ends: the index of its end tag
// "</name" followed by a space, '/' or '>' (npos: the text runs to the end of the document).
std::size_t raw_text_end(std::string_view s, std::size_t from, std::string_view name) {
  for (std::size_t i = s.find("</", from); i != std::string_view::npos; i = s.find("</", i + 2)) {
    std::size_t after = i + 2 + name.size();
    if (starts_with_nocase(s, i + 2, name) && after < s.size() && (is_space(s[after]) || s[after] == '/' || s[after] == '>')) {
      return i;
    }
  }
  return std::string_view::npos;
}

// Text between two pieces of markup, reduced to what the tree builder can tell apart: nothing for
// whitespace (and NULs, which "in body" ignores), one 'x' for other text, so the "frameset-ok" flag
// still turns off where it did (a <frameset> after text is ignored; without text it replaces the
// body and the links in it). Text with a character reference is kept whole: "&#32;" is a space.
void append_text(std::string& out, std::string_view text) {
  if (text.find('&') != std::string_view::npos) {
    out.append(text);
    return;
  }
  for (char c : text) {
    if (!is_space(c) && c != '\0') {
      out += 'x';
      return;
    }
  }
}

}  // namespace

std::string strip_text(std::string_view s) {
  std::string out;
  out.reserve(s.size() / 4);
  std::string name;
  std::size_t i = 0, text_from = 0;  // s[text_from, i) is text not reduced yet
  auto skip_to = [&](std::size_t to) { i = text_from = to; };  // markup up to `to` handled
  while ((i = s.find('<', i)) != std::string_view::npos) {
    append_text(out, s.substr(text_from, i - text_from));
    text_from = i;
    if (i + 1 >= s.size()) break;
    char next = s[i + 1];
    if (next == '!') {
      if (s.substr(i + 2, 2) == "--") {  // comment: "<!-->", "<!--->", or up to "-->" / "--!>"
        std::size_t body = i + 4;
        if (s.substr(body, 1) == ">") {
          skip_to(body + 1);
          continue;
        }
        if (s.substr(body, 2) == "->") {
          skip_to(body + 2);
          continue;
        }
        std::size_t e1 = s.find("-->", body), e2 = s.find("--!>", body);
        if (e1 == std::string_view::npos && e2 == std::string_view::npos) return out;  // comment to the end
        skip_to(e1 < e2 ? e1 + 3 : e2 + 4);
        continue;
      }
      std::size_t e = s.find('>', i + 2);
      if (starts_with_nocase(s, i + 2, "doctype")) out.append(s.substr(i, e == std::string_view::npos ? s.size() - i : e + 1 - i));
      if (e == std::string_view::npos) return out;
      skip_to(e + 1);  // doctype kept; CDATA outside foreign content and other bogus comments dropped
      continue;
    }
    if (next == '?') {  // bogus comment
      std::size_t e = s.find('>', i + 2);
      if (e == std::string_view::npos) return out;
      skip_to(e + 1);
      continue;
    }
    bool end_tag = next == '/';
    if (end_tag) {
      if (i + 2 >= s.size()) break;  // "</" at the end: text
      if (s[i + 2] == '>') {          // "</>": nothing
        skip_to(i + 3);
        continue;
      }
      if (!is_alpha(s[i + 2])) {  // bogus comment
        std::size_t e = s.find('>', i + 2);
        if (e == std::string_view::npos) return out;
        skip_to(e + 1);
        continue;
      }
    } else if (!is_alpha(next)) {  // "<" as text: stays in the text run
      ++i;
      continue;
    }
    std::size_t end = scan_tag(s, i, name);
    if (end == std::string_view::npos) return out;  // EOF inside a tag: the tokenizer drops it
    if (!end_tag && one_of(name, {"svg", "math", "select", "frameset", "plaintext"})) {
      out.append(s.substr(i));  // the tree builder decides from here on: hand gumbo everything
      return out;
    }
    if (!end_tag && one_of(name, {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"})) {
      std::size_t close = raw_text_end(s, end, name);
      std::string_view content = s.substr(end, close == std::string_view::npos ? std::string_view::npos : close - end);
      if (name == "script" && content.find("<!--") != std::string_view::npos) {
        out.append(s.substr(i));  // escaped script data: its end depends on nested "<script"
        return out;
      }
      out.append(s.substr(i, end - i));
      if (close == std::string_view::npos) return out;  // the rest is the element's text
      skip_to(close);  // the end tag is copied next
      continue;
    }
    out.append(s.substr(i, end - i));
    skip_to(end);
  }
  append_text(out, s.substr(text_from));
  return out;
}

}  // namespace corio_httpkit::detail
