// Error category and throw helpers (corio/error.hpp).
#include <corio/error.hpp>

#include <cstring>

namespace corio {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "corio"; }
  std::string message(int c) const override {
    switch (static_cast<errc>(c)) {
      case errc::operation_aborted: return "operation aborted";
      case errc::timed_out: return "timed out";
      case errc::eof: return "end of stream";
      case errc::backend_unavailable: return "IO backend unavailable";
      case errc::runtime_stopped: return "runtime stopped";
      case errc::deadlock: return "deadlock: the task waits and nothing can wake it";
      case errc::not_in_runtime: return "not inside a corio runtime";
      case errc::already_awaited: return "already awaited";
      case errc::invalid_argument: return "invalid argument";
      case errc::closed: return "closed";
    }
    return "unknown corio error";
  }
  std::error_condition default_error_condition(int c) const noexcept override {
    switch (static_cast<errc>(c)) {
      case errc::operation_aborted: return std::errc::operation_canceled;
      case errc::timed_out: return std::errc::timed_out;
      case errc::invalid_argument: return std::errc::invalid_argument;
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
std::error_condition make_error_condition(errc e) noexcept { return {static_cast<int>(e), error_category()}; }

void throw_error(std::error_code ec, const std::string& context) { throw error(ec, context); }
void throw_error(errc e, const std::string& context) { throw error(make_error_code(e), context); }
void throw_errno(int negative_errno, const std::string& context) {
  throw error(std::error_code(-negative_errno, std::system_category()), context);
}

bool is_cancellation(const std::exception_ptr& e) noexcept {
  if (!e) return false;
  try {
    std::rethrow_exception(e);
  } catch (const std::system_error& se) {
    return se.code() == errc::operation_aborted;
  } catch (...) {
    return false;
  }
}

}  // namespace corio
