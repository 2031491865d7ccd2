#include "services/agent/boot_info.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/common/file_util.h"

namespace candor::agent {

absl::StatusOr<std::string> ReadBootId(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  std::string id(absl::StripAsciiWhitespace(*text));
  if (id.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("boot id file ", path,
                                                   " is empty"));
  }
  return id;
}

absl::StatusOr<absl::Time> ReadBootTime(const std::string& proc_stat_path) {
  absl::StatusOr<std::string> text = ReadFile(proc_stat_path);
  if (!text.ok()) return text.status();
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    if (!absl::StartsWith(line, "btime ")) continue;
    int64_t seconds = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(6)),
                         &seconds) &&
        seconds > 0) {
      return absl::FromUnixSeconds(seconds);
    }
    break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(proc_stat_path, " has no valid 'btime' line"));
}

}  // namespace candor::agent
