#include "services/agent/notice_cursors.h"

#include <spdlog/spdlog.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/common/file_util.h"

namespace candor::agent {

absl::StatusOr<std::unique_ptr<NoticeCursors>> NoticeCursors::Load(
    const std::string& path, size_t capacity) {
  std::unique_ptr<NoticeCursors> cursors(
      new NoticeCursors(path, capacity == 0 ? 1 : capacity));
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) {
    if (text.status().code() == absl::StatusCode::kNotFound) return cursors;
    return text.status();
  }
  absl::MutexLock lock(&cursors->mu_);
  int line_no = 0;
  for (absl::string_view line :
       absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
    ++line_no;
    std::string cursor;
    if (!absl::CUnescape(line, &cursor) || cursor.empty()) {
      spdlog::warn("{} line {}: not a C-escaped cursor; skipped", path,
                   line_no);
      continue;
    }
    cursors->InsertLocked(cursor);
  }
  return cursors;
}

void NoticeCursors::InsertLocked(const std::string& cursor) {
  if (!seen_.insert(cursor).second) return;
  order_.push_back(cursor);
  while (order_.size() > capacity_) {
    seen_.erase(order_.front());
    order_.pop_front();
  }
}

absl::StatusOr<bool> NoticeCursors::Record(const std::string& cursor) {
  absl::MutexLock lock(&mu_);
  if (seen_.contains(cursor)) return false;
  InsertLocked(cursor);
  std::string text;
  for (const std::string& c : order_)
    absl::StrAppend(&text, absl::CEscape(c), "\n");
  absl::Status s = WriteFileAtomically(path_, text, 0600);
  if (!s.ok()) return s;
  return true;
}

size_t NoticeCursors::size() const {
  absl::MutexLock lock(&mu_);
  return order_.size();
}

}  // namespace candor::agent
