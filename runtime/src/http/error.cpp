// The corio.http error category (corio/http/error.hpp).
#include <corio/error.hpp>
#include <corio/http/error.hpp>

namespace corio::http {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "corio.http"; }
  std::string message(int c) const override {
    switch (static_cast<errc>(c)) {
      case errc::invalid_url: return "invalid URL";
      case errc::unsupported_scheme: return "unsupported URL scheme";
      case errc::malformed_response: return "malformed HTTP response";
      case errc::header_too_large: return "HTTP header too large";
      case errc::body_too_large: return "HTTP body too large";
      case errc::truncated: return "connection closed before the end of the HTTP response";
      case errc::timeout: return "HTTP request timed out";
      case errc::connection_reset: return "connection reset by peer";
      case errc::too_many_redirects: return "too many HTTP redirects";
      case errc::resolve_failed: return "host name resolution failed";
      case errc::html_too_deep: return "HTML nested too deeply";
      case errc::malformed_request: return "malformed HTTP request";
    }
    return "unknown corio.http error";
  }
  std::error_condition default_error_condition(int c) const noexcept override {
    switch (static_cast<errc>(c)) {
      case errc::timeout: return std::errc::timed_out;
      case errc::connection_reset: return std::errc::connection_reset;
      default: return {c, *this};
    }
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const category c;
  return c;
}
std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), error_category()}; }
void throw_error(errc e, const std::string& context) { throw corio::error(make_error_code(e), context); }

}  // namespace corio::http
