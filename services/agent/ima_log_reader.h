// File: services/agent/ima_log_reader.h
//
// Serves the IMA ascii measurement log (default
// /sys/kernel/security/ima/ascii_runtime_measurements) incrementally: pages
// of raw lines from entry N, without rescanning the log from the start on
// every request. The reader remembers the byte offset of every 256th entry
// and where the log ended last time, so a request for entry N reads from the
// nearest checkpoint and counting new entries only scans what was appended.
//
// - A missing log answers an empty page with `log_missing` (systems without
//   IMA; Keylime's agent answered with a malformed response, RK#380).
// - A start entry past the end answers from entry 0 with
//   `restarted_from_zero` (the verifier's state is from an older boot).
// - A log that shrank (new boot, or a replaced file) drops the checkpoints.
// - Only complete lines (ending in '\n') count as entries.
// Thread-safe.
#ifndef CANDOR_SERVICES_AGENT_IMA_LOG_READER_H_
#define CANDOR_SERVICES_AGENT_IMA_LOG_READER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace candor::agent {

struct ImaPage {
  uint64_t start_entry = 0;        // index of lines[0]
  std::vector<std::string> lines;  // without the newline
  bool more = false;               // entries remain after this page
  uint64_t total_entries = 0;      // complete lines in the log now
  bool log_missing = false;
  bool restarted_from_zero = false;
};

class ImaLogReader {
 public:
  explicit ImaLogReader(std::string path) : path_(std::move(path)) {}

  // Up to `max_entries` lines (at least one if any remain) and about
  // `max_bytes` of text from entry `start`. Errors: INTERNAL naming the file
  // when it exists but cannot be read.
  absl::StatusOr<ImaPage> Read(uint64_t start, uint32_t max_entries,
                               size_t max_bytes);

  const std::string& path() const { return path_; }

  // Forgets the checkpoints (call when the boot id changes: the kernel
  // started a new log).
  void Reset();

 private:
  static constexpr uint64_t kCheckpointEvery = 256;
  // Counts the complete lines appended since the last call, extending the
  // checkpoints. Returns false if the file is missing.
  absl::StatusOr<bool> Refresh(int fd) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ResetLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string path_;
  absl::Mutex mu_;
  // checkpoints_[k] = byte offset of entry k * kCheckpointEvery.
  std::vector<uint64_t> checkpoints_ ABSL_GUARDED_BY(mu_) = {0};
  uint64_t end_offset_ ABSL_GUARDED_BY(mu_) = 0;  // after the last full line
  uint64_t end_entries_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace candor::agent

#endif  // CANDOR_SERVICES_AGENT_IMA_LOG_READER_H_
