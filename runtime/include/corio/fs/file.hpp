// corio/fs/file.hpp - corio::fs::file: a file read and written at explicit offsets.
//
// What it does:
//   auto f = co_await file::open("data.bin", O_RDWR | O_CREAT, 0644);
//   co_await f.write_all_at(bytes, 0);
//   std::size_t n = co_await f.read_at(buf, 0);     // fewer than asked near the end, 0 at/after EOF
//   co_await f.read_exact_at(buf, 4096);            // or corio::incomplete_read (errc::eof)
//   co_await f.fsync();  std::uint64_t sz = f.size();  f.close();
// Flags and mode are open(2)'s (<fcntl.h>); O_CLOEXEC is always added. There is no file position:
// every read and write names its offset (pread/pwrite), so concurrent operations do not disturb
// each other. size() is fstat(2) (metadata only; it does not block on data).
// How it runs: on io_uring, open, read, write and fsync are io_uring requests (the kernel runs
// them, on its worker threads when they would block). Regular files cannot be polled, so on the
// Asio backend they run on the backend's small file-IO thread pool, and the loop thread never
// blocks on the disk. read_at, write_at and fsync are leaf operations (no coroutine frame).
// Errors (corio::error, errno codes): "open /no/such: No such file or directory", "read_exact_at
// data.bin at 4096: got 10 of 100 bytes: end of stream", "write_at /full/disk at 0: No space left
// on device".
// Which thread resumes you: the runtime's thread. A file belongs to one runtime; use and destroy
// it on that thread, before the runtime ends.
// Cancellation and deadlines: every operation takes a corio::deadline and is cancelled with its
// task. On io_uring, a read or write the kernel already started on a regular file cannot be
// interrupted (reads from disk are not cancellable): the cancellation then waits for it, and its
// result is returned (the co_await never resumes while the kernel still uses the buffer). A
// cancelled open closes any descriptor it got.
// Buffers: must stay valid until the co_await returns; never touched afterwards.
#pragma once

#include <fcntl.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <algorithm>

#include <corio/io/deadline.hpp>
#include <corio/io/detail/fd_handle.hpp>
#include <corio/io/error.hpp>
#include <corio/task.hpp>

namespace corio::detail {
// read_at / write_at: one pread / pwrite request; co_await yields the byte count.
class positional_op final : public fd_op {
 public:
  positional_op(fd_handle& h, op_code code, const void* data, std::size_t size, std::uint64_t offset,
                deadline d) noexcept
      : fd_op(h, code, d) {
    op().buf = const_cast<void*>(data);
    op().len = static_cast<std::uint32_t>(std::min(size, max_io_chunk));
    op().offset = offset;
    if (size == 0) complete_now(0);
  }
  std::size_t await_resume() {
    return static_cast<std::size_t>(checked(op().code == op_code::read_at ? "read_at" : "write_at"));
  }
};

// fsync / fdatasync.
class fsync_op final : public fd_op {
 public:
  fsync_op(fd_handle& h, bool data_only, deadline d) noexcept : fd_op(h, op_code::fsync, d) {
    op().flags = data_only ? 1u : 0u;
  }
  void await_resume() { checked(op().flags ? "fdatasync" : "fsync"); }
};
}  // namespace corio::detail

namespace corio::fs {

class file {
 public:
  file() noexcept = default;

  static task<file> open(std::string path, int flags = O_RDONLY, mode_t mode = 0644, deadline d = {});

  [[nodiscard]] detail::positional_op read_at(void* data, std::size_t size, std::uint64_t offset,
                                              deadline d = {}) noexcept {
    return {h_, detail::op_code::read_at, data, size, offset, d};
  }
  [[nodiscard]] detail::positional_op read_at(std::span<std::byte> buf, std::uint64_t offset,
                                              deadline d = {}) noexcept {
    return read_at(buf.data(), buf.size(), offset, d);
  }
  [[nodiscard]] detail::positional_op read_at(std::span<char> buf, std::uint64_t offset, deadline d = {}) noexcept {
    return read_at(buf.data(), buf.size(), offset, d);
  }
  task<void> read_exact_at(void* data, std::size_t size, std::uint64_t offset, deadline d = {});
  task<void> read_exact_at(std::span<std::byte> buf, std::uint64_t offset, deadline d = {}) {
    return read_exact_at(buf.data(), buf.size(), offset, d);
  }
  task<void> read_exact_at(std::span<char> buf, std::uint64_t offset, deadline d = {}) {
    return read_exact_at(buf.data(), buf.size(), offset, d);
  }

  [[nodiscard]] detail::positional_op write_at(const void* data, std::size_t size, std::uint64_t offset,
                                               deadline d = {}) noexcept {
    return {h_, detail::op_code::write_at, data, size, offset, d};
  }
  [[nodiscard]] detail::positional_op write_at(std::span<const std::byte> buf, std::uint64_t offset,
                                               deadline d = {}) noexcept {
    return write_at(buf.data(), buf.size(), offset, d);
  }
  task<void> write_all_at(const void* data, std::size_t size, std::uint64_t offset, deadline d = {});
  task<void> write_all_at(std::span<const std::byte> buf, std::uint64_t offset, deadline d = {}) {
    return write_all_at(buf.data(), buf.size(), offset, d);
  }
  task<void> write_all_at(std::string_view s, std::uint64_t offset, deadline d = {}) {
    return write_all_at(s.data(), s.size(), offset, d);
  }

  // fsync(2), or fdatasync(2) with data_only.
  [[nodiscard]] detail::fsync_op fsync(bool data_only = false, deadline d = {}) noexcept { return {h_, data_only, d}; }
  // fstat(2) st_size. Throws corio::error.
  std::uint64_t size() const;

  const std::string& path() const noexcept { return h_.path; }
  bool is_open() const noexcept { return h_.is_open(); }
  int native_handle() const noexcept { return h_.fd(); }
  // Closes now (the destructor does too). close(2) errors on regular local files are not reported;
  // call fsync() first to learn whether the data reached the disk.
  void close() noexcept { h_.close(); }

 private:
  explicit file(detail::fd_handle h) noexcept : h_(std::move(h)) {}
  detail::fd_handle h_;
};

}  // namespace corio::fs
