#include "lib/metrics/exporter.h"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace candor::metrics {
namespace {

// Accepts "ipv4:port" and "[ipv6]:port" with port 0..65535; civetweb would
// otherwise take suffixes ("9100s" = TLS), lists ("a,b") or a bare port.
absl::Status CheckAddress(const std::string& address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("StartExporter: metrics listen address \"", address,
                     "\" is not ip:port or [ipv6]:port"));
  }
  const absl::string_view host = absl::string_view(address).substr(0, colon);
  const absl::string_view port = absl::string_view(address).substr(colon + 1);
  uint32_t number = 0;
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), absl::ascii_isdigit) ||
      !absl::SimpleAtoi(port, &number) || number > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("StartExporter: metrics listen address \"", address,
                     "\" has an invalid port \"", port, "\""));
  }
  if (host.find_first_of(", \t") != absl::string_view::npos ||
      (host.front() == '[') != (host.back() == ']')) {
    return absl::InvalidArgumentError(
        absl::StrCat("StartExporter: metrics listen address \"", address,
                     "\" has an invalid host \"", host, "\""));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Exporter>> StartExporter(
    const std::string& listen_address,
    std::shared_ptr<prometheus::Registry> registry) {
  if (listen_address.empty()) {
    return absl::InvalidArgumentError(
        "StartExporter: empty metrics listen address");
  }
  if (absl::Status valid = CheckAddress(listen_address); !valid.ok()) {
    return valid;
  }
  if (registry == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("StartExporter(", listen_address, "): null registry"));
  }
  std::unique_ptr<prometheus::Exposer> exposer;
  std::vector<int> ports;
  try {
    exposer = std::make_unique<prometheus::Exposer>(listen_address);
    exposer->RegisterCollectable(registry);
    ports = exposer->GetListeningPorts();
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("StartExporter: cannot serve /metrics on ", listen_address,
                     ": ", e.what()));
  }
  if (ports.empty() || ports.front() <= 0) {
    return absl::UnavailableError(
        absl::StrCat("StartExporter: no listening port for ", listen_address));
  }
  return std::make_unique<Exporter>(std::move(exposer), std::move(registry),
                                    ports.front());
}

}  // namespace candor::metrics
