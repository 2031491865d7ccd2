// File: cli/tenant/output.h
//
// How every tenant command prints its result. A command builds one JSON
// document (the stable, scriptable form) and, for humans, a table; the global
// `-o/--output json|table` picks one and `--out FILE` sends it to a file
// instead of stdout. A file is written to a temporary name and renamed into
// place, so it is never left half-written.
#ifndef CANDOR_CLI_TENANT_OUTPUT_H_
#define CANDOR_CLI_TENANT_OUTPUT_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace candor::tenant {

enum class OutputFormat { kTable, kJson };

absl::StatusOr<OutputFormat> ParseOutputFormat(const std::string& name);

// A simple text table: a header row and data rows, columns padded to width.
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::string Render() const;
};

class Output {
 public:
  Output(OutputFormat format, std::string out_path)
      : format_(format), out_path_(std::move(out_path)) {}

  OutputFormat format() const { return format_; }

  // Prints `json` (pretty, 2-space indent) or `table`, followed by a newline.
  absl::Status Emit(const nlohmann::json& json, const Table& table);
  // Prints raw text as is (for commands whose output is a file format).
  absl::Status EmitText(const std::string& text);

 private:
  OutputFormat format_;
  std::string out_path_;  // empty: stdout
};

}  // namespace candor::tenant

#endif  // CANDOR_CLI_TENANT_OUTPUT_H_
