#include "cli/tenant/output.h"


#include <algorithm>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "lib/common/file_util.h"

namespace candor::tenant {

absl::StatusOr<OutputFormat> ParseOutputFormat(const std::string& name) {
  if (name == "table") return OutputFormat::kTable;
  if (name == "json") return OutputFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown output format '", name, "': use json or table"));
}

std::string Table::Render() const {
  std::vector<size_t> width(header.size(), 0);
  auto widen = [&width](const std::vector<std::string>& row) {
    if (row.size() > width.size()) width.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  };
  widen(header);
  for (const auto& r : rows) widen(r);
  std::string out;
  auto line = [&](const std::vector<std::string>& row) {
    std::string l;
    for (size_t i = 0; i < row.size(); ++i) {
      absl::StrAppend(&l, row[i]);
      if (i + 1 < row.size()) l.append(width[i] - row[i].size() + 2, ' ');
    }
    absl::StrAppend(&out, l, "\n");
  };
  if (!header.empty()) line(header);
  for (const auto& r : rows) line(r);
  return out;
}

absl::Status Output::EmitText(const std::string& text) {
  if (out_path_.empty()) {
    std::cout << text << std::flush;
    return std::cout ? absl::OkStatus()
                     : absl::InternalError("writing to stdout failed");
  }
  return WriteFileAtomically(out_path_, text);
}

absl::Status Output::Emit(const nlohmann::json& json, const Table& table) {
  if (format_ == OutputFormat::kJson) return EmitText(json.dump(2) + "\n");
  return EmitText(table.Render());
}

}  // namespace candor::tenant
