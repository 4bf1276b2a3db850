// corio/fs/whole_file.hpp - reading and writing a whole file in one call.
//
// What it does: read_file(path) opens the file, reads it to its end and closes it, returning the
// bytes as a std::string. It reads until end of file rather than trusting the size fstat reports, so
// /proc files and files that grow meanwhile read correctly. write_file(path, data) creates or
// truncates the file and writes all of `data` (mode 0644 for a new file; fsync with `sync`).
// Errors: as corio::fs::file ("open /no/such: No such file or directory"). read_file refuses a
// file larger than max_bytes (default 1 GiB) with EFBIG instead of exhausting memory.
// Which thread resumes you: the runtime's thread.
// Cancellation and deadlines: the deadline covers the whole call; cancelling the task aborts the
// current step and closes the file.
// Buffers: the result is owned by the caller; `data` must stay valid until the co_await returns.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <corio/io/deadline.hpp>
#include <corio/task.hpp>

namespace corio::fs {

task<std::string> read_file(std::string path, deadline d = {}, std::size_t max_bytes = std::size_t{1} << 30);
task<void> write_file(std::string path, std::string_view data, bool sync = false, deadline d = {});

}  // namespace corio::fs
