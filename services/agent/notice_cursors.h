// File: services/agent/notice_cursors.h
//
// The event cursors of the revocation notices this agent already acted on
// (AgentService.Notify drops a notice whose cursor it has seen), kept in a file
// in the state directory so a restart remembers them: one C-escaped cursor
// per line, oldest first, at most `capacity` (the oldest are forgotten),
// rewritten atomically (mode 0600) on every new cursor.
//
// Thread-safe: an internal mutex, held only for the check, the insert and
// the file write (never while actions run).
#ifndef CANDOR_SERVICES_AGENT_NOTICE_CURSORS_H_
#define CANDOR_SERVICES_AGENT_NOTICE_CURSORS_H_

#include <deque>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace candor::agent {

class NoticeCursors {
 public:
  // Loads `path` if it exists (a missing file is an empty set). A line that
  // does not unescape is skipped with a warning. INTERNAL naming the file if
  // it exists but cannot be read.
  static absl::StatusOr<std::unique_ptr<NoticeCursors>> Load(
      const std::string& path, size_t capacity = 1000);

  // True if `cursor` is new: it is then recorded (and the file rewritten)
  // before returning. False if it was already recorded. A failed write is
  // returned as an error, but the cursor stays recorded in memory.
  absl::StatusOr<bool> Record(const std::string& cursor);

  size_t size() const;

 private:
  NoticeCursors(std::string path, size_t capacity)
      : path_(std::move(path)), capacity_(capacity) {}
  void InsertLocked(const std::string& cursor)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string path_;
  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::deque<std::string> order_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> seen_ ABSL_GUARDED_BY(mu_);
};

}  // namespace candor::agent

#endif  // CANDOR_SERVICES_AGENT_NOTICE_CURSORS_H_
