// File: lib/metrics/exporter.h
//
// Serves a registry's metrics as Prometheus text at http://<address>/metrics
// on its own port (DESIGN.md "Metrics"), separate from the gRPC port, with
// prometheus-cpp's civetweb-based Exposer (plain HTTP, no authentication:
// bind it to an address only the scraper can reach).
//
// StartExporter takes "ipv4:port" or "[ipv6]:port" (numeric: civetweb does
// not resolve host names; "0.0.0.0:9102" listens everywhere). It returns
// InvalidArgument, naming the address, for an empty or malformed address or
// a null registry, and Unavailable, naming the address, when the server
// cannot listen (port in use, address not local). Port 0 binds an ephemeral
// port; port() tells which.
//
// The Exporter owns the server and shares ownership of the registry; the
// server stops when the Exporter is destroyed (which may take civetweb's
// 2 s poll quantum once a scrape has been served). Scrapes run on the server's
// own threads; port() is thread-safe.
#ifndef CANDOR_LIB_METRICS_EXPORTER_H_
#define CANDOR_LIB_METRICS_EXPORTER_H_

#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "prometheus/exposer.h"
#include "prometheus/registry.h"

namespace candor::metrics {

class Exporter {
 public:
  Exporter(std::unique_ptr<prometheus::Exposer> exposer,
           std::shared_ptr<prometheus::Registry> registry, int port)
      : registry_(std::move(registry)),
        exposer_(std::move(exposer)),
        port_(port) {}

  // The TCP port the server listens on (the bound one for ":0").
  int port() const { return port_; }

 private:
  // Declared first so it outlives the server that reads it.
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_;
};

absl::StatusOr<std::unique_ptr<Exporter>> StartExporter(
    const std::string& listen_address,
    std::shared_ptr<prometheus::Registry> registry);

}  // namespace candor::metrics

#endif  // CANDOR_LIB_METRICS_EXPORTER_H_
