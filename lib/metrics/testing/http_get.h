// File: lib/metrics/testing/http_get.h  (testonly)
//
// A plain HTTP/1.0 GET of http://127.0.0.1:<port><path> for scrape tests.
#ifndef CANDOR_LIB_METRICS_TESTING_HTTP_GET_H_
#define CANDOR_LIB_METRICS_TESTING_HTTP_GET_H_

#include <string>

namespace candor::metrics::testing {

// The whole response (status line, headers, body), or "" if the connection
// failed.
std::string HttpGet(int port, const std::string& path);

}  // namespace candor::metrics::testing

#endif  // CANDOR_LIB_METRICS_TESTING_HTTP_GET_H_
