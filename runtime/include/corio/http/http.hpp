// corio/http/http.hpp - the whole public API of corio::http (target corio::http).
//
// URL parsing and resolution (url.hpp), request bytes (request.hpp), the incremental response
// parser (parser.hpp, response.hpp), redirect rules (redirect.hpp), the keep-alive pool (pool.hpp),
// client settings (options.hpp) and counters (stats.hpp), corio's async client (client.hpp), the
// server side (server.hpp: request parser, response writer) and the typed errors (error.hpp). See
// docs/api-http.md. (The benchmarks' blocking client and link extractor are not part of it:
// bench/httpkit.)
#pragma once

#include <corio/http/client.hpp>
#include <corio/http/error.hpp>
#include <corio/http/header.hpp>
#include <corio/http/options.hpp>
#include <corio/http/parser.hpp>
#include <corio/http/pool.hpp>
#include <corio/http/redirect.hpp>
#include <corio/http/request.hpp>
#include <corio/http/response.hpp>
#include <corio/http/server.hpp>
#include <corio/http/stats.hpp>
#include <corio/http/url.hpp>
