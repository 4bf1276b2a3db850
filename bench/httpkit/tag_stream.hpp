// bench/httpkit/tag_stream.hpp - private to links.cpp: the tags of an HTML document without its
// text, for link extraction (links.hpp, link_options::strip_text).
//
// Gumbo costs about 70 ns per byte (measured: 4 KiB of text, 280 us), text included, though text
// never creates, removes or changes an element. strip_text() keeps every start tag, end tag and
// doctype byte for byte and drops text, comments, bogus comments and the contents of raw-text
// elements (script, style, textarea, title, xmp, iframe, noembed, noframes), so gumbo builds the
// same elements with the same attributes from far fewer bytes. Tag boundaries follow the HTML5
// tokenizer's states (tag name, attribute name, before/after value, quoted and unquoted values,
// self-closing), so a '>' or a quote inside an attribute is read as the tokenizer reads it.
//
// Where the tree builder, not the tag name, decides how the tokenizer continues, the rest of the
// document is copied verbatim from the tag on: <svg> and <math> (foreign content: CDATA sections,
// no raw text), <select> (where <style> is ignored, not raw text), <frameset> (where text matters),
// <plaintext>, and a <script> whose content holds "<!--" (escaped script data).
#pragma once

#include <string>
#include <string_view>

namespace corio_httpkit::detail {

std::string strip_text(std::string_view html);

}  // namespace corio_httpkit::detail
