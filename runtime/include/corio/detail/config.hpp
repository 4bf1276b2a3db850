// corio/detail/config.hpp - compiler feature switches used by the public headers.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define CORIO_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CORIO_ASAN 1
#endif
#endif
#ifndef CORIO_ASAN
#define CORIO_ASAN 0
#endif

#define CORIO_LIKELY(x) __builtin_expect(!!(x), 1)
#define CORIO_UNLIKELY(x) __builtin_expect(!!(x), 0)
