#include "lib/pg/pg_error.h"

#include <pqxx/pqxx>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/pg/connection.h"

namespace candor::pg {
namespace {

using ::testing::HasSubstr;

TEST(PgErrorTest, SqlStateClasses) {
  EXPECT_EQ(CodeForSqlState("23505"), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(CodeForSqlState("23503"), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CodeForSqlState("40001"), absl::StatusCode::kAborted);
  EXPECT_EQ(CodeForSqlState("40P01"), absl::StatusCode::kAborted);
  EXPECT_EQ(CodeForSqlState("22P02"), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeForSqlState("53300"), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(CodeForSqlState("57014"), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(CodeForSqlState("57P01"), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CodeForSqlState("08006"), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CodeForSqlState("42P01"), absl::StatusCode::kInternal);
}

TEST(PgErrorTest, ExceptionsMapWithContext) {
  absl::Status s = PgError(pqxx::broken_connection("server closed"), "claim");
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(s.message()), HasSubstr("claim: database"));
  s = PgError(pqxx::unique_violation("dup key", "INSERT", "23505"), "insert");
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(s.message()), HasSubstr("SQLSTATE 23505"));
  s = PgError(pqxx::in_doubt_error("lost during commit"), "commit");
  EXPECT_EQ(s.code(), absl::StatusCode::kUnknown);
  s = PgError(std::runtime_error("weird"), "x");
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
}

TEST(ConnectionTest, RedactsSecrets) {
  EXPECT_EQ(RedactConnInfo("host=db port=5432 dbname=v user=u password=hunter2 "
                           "sslkey=/k"),
            "host=db port=5432 dbname=v user=u");
}

TEST(ConnectionTest, UnreachableServerIsUnavailable) {
  // Port 1 on loopback: nothing listens there.
  auto c = Connection::Open("host=127.0.0.1 port=1 dbname=x connect_timeout=2");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(c.status().message()),
              HasSubstr("host=127.0.0.1 port=1 dbname=x"));
}

}  // namespace
}  // namespace candor::pg
