#include "lib/log/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"

namespace candor::log {

absl::Status Init(const std::string& component, const std::string& level) {
  spdlog::level::level_enum lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--log_level=", level, ": use trace, debug, info, warn or error"));
  }
  auto logger = spdlog::stderr_logger_mt(component);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %n %l %v", spdlog::pattern_time_type::utc);
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  return absl::OkStatus();
}

void WarnInsecure(const std::string& component) {
  for (int i = 0; i < 3; ++i) {
    spdlog::warn(
        "*** {} runs with --insecure: plaintext gRPC, NO authentication, "
        "anyone on the network may call every RPC. Local debugging only. ***",
        component);
  }
}

}  // namespace candor::log
