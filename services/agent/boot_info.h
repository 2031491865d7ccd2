// File: services/agent/boot_info.h
//
// This boot's identity, as the kernel reports it: the boot id
// (/proc/sys/kernel/random/boot_id, a fresh UUID at every boot) and the boot
// time ("btime" in /proc/stat, seconds since the epoch). Paths are
// configurable so tests and the reboot simulator can provide their own.
#ifndef CANDOR_SERVICES_AGENT_BOOT_INFO_H_
#define CANDOR_SERVICES_AGENT_BOOT_INFO_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace candor::agent {

// The boot id, whitespace trimmed. NOT_FOUND / INVALID_ARGUMENT (empty file)
// naming the path.
absl::StatusOr<std::string> ReadBootId(const std::string& path);

// The boot time from a /proc/stat-format file. INVALID_ARGUMENT naming the
// path if it has no valid "btime" line.
absl::StatusOr<absl::Time> ReadBootTime(const std::string& proc_stat_path);

}  // namespace candor::agent

#endif  // CANDOR_SERVICES_AGENT_BOOT_INFO_H_
