#include "cli/tenant/output.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cli/tenant/exit_codes.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::tenant {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(TableTest, PadsColumns) {
  Table t{{"ID", "STATE"}, {{"a", "ATTESTING"}, {"longer-id", "FAILED"}}};
  EXPECT_EQ(t.Render(),
            "ID         STATE\n"
            "a          ATTESTING\n"
            "longer-id  FAILED\n");
}

TEST(OutputTest, ParseFormat) {
  EXPECT_EQ(*ParseOutputFormat("json"), OutputFormat::kJson);
  EXPECT_EQ(*ParseOutputFormat("table"), OutputFormat::kTable);
  EXPECT_EQ(ParseOutputFormat("yaml").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(OutputTest, JsonToFileIsAtomicAndComplete) {
  std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/out.json";
  Output out(OutputFormat::kJson, path);
  ASSERT_TRUE(out.Emit({{"ok", true}}, Table{}).ok());
  EXPECT_EQ(nlohmann::json::parse(ReadAll(path)), nlohmann::json({{"ok", true}}));
}

TEST(OutputTest, UnwritablePathIsNamed) {
  Output out(OutputFormat::kTable, "/nonexistent-dir/x.txt");
  absl::Status s = out.EmitText("x");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("/nonexistent-dir/x.txt"));
}

TEST(ExitCodesTest, Mapping) {
  EXPECT_EQ(ExitCodeFor(absl::OkStatus()), kExitOk);
  EXPECT_EQ(ExitCodeFor(CheckFailedError("no")), kExitCheckFailed);
  EXPECT_EQ(ExitCodeFor(absl::InvalidArgumentError("x")), kExitBadInput);
  EXPECT_EQ(ExitCodeFor(absl::NotFoundError("x")), kExitNotFound);
  EXPECT_EQ(ExitCodeFor(absl::PermissionDeniedError("x")), kExitDenied);
  EXPECT_EQ(ExitCodeFor(absl::UnavailableError("x")), kExitUnavailable);
  EXPECT_EQ(ExitCodeFor(absl::DeadlineExceededError("x")), kExitUnavailable);
  EXPECT_EQ(ExitCodeFor(absl::InternalError("x")), kExitInternal);
}

}  // namespace
}  // namespace candor::tenant
