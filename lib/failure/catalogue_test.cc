#include "lib/failure/catalogue.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::failure {
namespace {

using ::candor::v1::Severity;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

constexpr char kReadme[] = "protos/candor/v1/README.md";
constexpr char kTableHeader[] = "| id | default severity | meaning |";

TEST(CatalogueTest, IdsAreUniqueAndWellFormed) {
  absl::flat_hash_set<absl::string_view> seen;
  for (const FailureKind& kind : Catalogue()) {
    EXPECT_THAT(std::string(kind.id), MatchesRegex("[a-z]+(\\.[a-z_]+)+"));
    EXPECT_TRUE(seen.insert(kind.id).second) << "duplicate id " << kind.id;
    EXPECT_NE(kind.default_severity, v1::SEVERITY_UNSPECIFIED) << kind.id;
    EXPECT_TRUE(v1::Severity_IsValid(kind.default_severity)) << kind.id;
    EXPECT_FALSE(kind.meaning.empty()) << kind.id;
    // A Markdown table cell cannot hold these.
    EXPECT_FALSE(absl::StrContains(kind.meaning, "|")) << kind.id;
    EXPECT_FALSE(absl::StrContains(kind.meaning, "\n")) << kind.id;
  }
  EXPECT_GE(Catalogue().size(), 47u);
}

TEST(CatalogueTest, NoVerdictIdsNeverFailAnAgentByDefault) {
  // DESIGN: FAILED is for integrity failures only; the default fail severity
  // is error.
  for (absl::string_view id :
       {kAgentUnreachable, kInternalError, kPolicyNotFound, kPolicyInvalid,
        kQuoteClockUnsafe, kImaViolation, kAgentRebooted}) {
    const FailureKind* kind = Find(id);
    ASSERT_NE(kind, nullptr) << id;
    EXPECT_LT(kind->default_severity, v1::SEVERITY_ERROR) << id;
  }
}

TEST(CatalogueTest, FindKnownAndUnknown) {
  const FailureKind* kind = Find(kImaNotInPolicy);
  ASSERT_NE(kind, nullptr);
  EXPECT_EQ(kind->id, "ima.not_in_policy");
  EXPECT_EQ(kind->default_severity, v1::SEVERITY_CRITICAL);
  EXPECT_EQ(Find("quote.bad_signature")->id, kQuoteBadSignature);
  EXPECT_EQ(Find(kAgentRebooted)->default_severity, v1::SEVERITY_INFO);
  EXPECT_EQ(Find("ima.no_such_thing"), nullptr);
  EXPECT_EQ(Find(""), nullptr);
  EXPECT_EQ(Find("IMA.NOT_IN_POLICY"), nullptr);
}

TEST(CatalogueTest, MakeFailureFillsDefaultSeverityAndContext) {
  v1::Failure failure =
      MakeFailure(kImaDigestMismatch, "/usr/bin/foo: digest not allowed",
                  {{"path", "/usr/bin/foo"}, {"line", "17"}});
  EXPECT_EQ(failure.id(), "ima.digest_mismatch");
  EXPECT_EQ(failure.severity(), v1::SEVERITY_CRITICAL);
  EXPECT_EQ(failure.message(), "/usr/bin/foo: digest not allowed");
  std::map<std::string, std::string> context(failure.context().begin(),
                                             failure.context().end());
  EXPECT_THAT(context, UnorderedElementsAre(Pair("line", "17"),
                                            Pair("path", "/usr/bin/foo")));

  v1::Failure warning = MakeFailure(kAgentUnreachable, "connection refused");
  EXPECT_EQ(warning.severity(), v1::SEVERITY_WARNING);
  EXPECT_THAT(warning.context(), IsEmpty());
}

TEST(CatalogueTest, MakeFailureKeepsUnknownIdWithoutSeverity) {
  v1::Failure failure = MakeFailure("quote.made_up", "?");
  EXPECT_EQ(failure.id(), "quote.made_up");
  EXPECT_EQ(failure.severity(), v1::SEVERITY_UNSPECIFIED);
  EXPECT_EQ(failure.message(), "?");
}

TEST(CatalogueTest, MakeFailureEscapesBytesThatAreNotUtf8) {
  // A file name from an IMA log may hold any byte; a proto3 string that is
  // not UTF-8 fails to parse, which would break every watcher's stream.
  v1::Failure failure = MakeFailure(
      kImaNotInPolicy, std::string("/tmp/\xff\xfe x"),
      {{std::string("pa\x80th"), std::string("/caf\xc3\xa9/\xc0\xaf")}});
  EXPECT_EQ(failure.message(), "/tmp/\\xff\\xfe x");
  std::map<std::string, std::string> context(failure.context().begin(),
                                             failure.context().end());
  EXPECT_THAT(context, UnorderedElementsAre(
                           Pair("pa\\x80th", "/caf\xc3\xa9/\\xc0\\xaf")));
  v1::Failure parsed;
  EXPECT_TRUE(parsed.ParseFromString(failure.SerializeAsString()));
  EXPECT_EQ(parsed.message(), failure.message());
}

TEST(CatalogueTest, MakeFailureKeepsWellFormedUtf8AndEscapesTheRest) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"plain ascii", "plain ascii"},
      {"\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\x92",  // e-acute, euro, lock
       "\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\x92"},
      {"\xed\xa0\x80", "\\xed\\xa0\\x80"},             // Surrogate.
      {"\xe0\x80\xaf", "\\xe0\\x80\\xaf"},             // Overlong.
      {"\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"},    // > U+10FFFF.
      {"a\xe2\x82", "a\\xe2\\x82"},                    // Truncated at end.
      {std::string("\0z", 2), std::string("\0z", 2)},  // NUL is UTF-8.
  };
  for (const auto& [in, want] : cases) {
    EXPECT_EQ(MakeFailure(kInternalError, in).message(), want) << in;
  }
}

TEST(SeverityTest, LabelsRoundTripInOrder) {
  const std::vector<std::pair<Severity, std::string>> expected = {
      {v1::SEVERITY_INFO, "info"},           {v1::SEVERITY_NOTICE, "notice"},
      {v1::SEVERITY_WARNING, "warning"},     {v1::SEVERITY_ERROR, "error"},
      {v1::SEVERITY_CRITICAL, "critical"},   {v1::SEVERITY_ALERT, "alert"},
      {v1::SEVERITY_EMERGENCY, "emergency"},
  };
  int previous = v1::SEVERITY_UNSPECIFIED;
  for (const auto& [severity, label] : expected) {
    EXPECT_GT(severity, previous) << label << " is out of order";
    previous = severity;
    EXPECT_EQ(SeverityLabel(severity), label);
    absl::StatusOr<Severity> parsed = ParseSeverity(label);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, severity);
  }
  EXPECT_EQ(SeverityLabel(v1::SEVERITY_UNSPECIFIED), "unspecified");
  EXPECT_EQ(SeverityLabel(static_cast<Severity>(99)), "unspecified");
}

TEST(SeverityTest, ParseIsCaseInsensitiveAndStrict) {
  EXPECT_EQ(*ParseSeverity("CRITICAL"), v1::SEVERITY_CRITICAL);
  EXPECT_EQ(*ParseSeverity("Warning"), v1::SEVERITY_WARNING);
  for (absl::string_view bad : {"", "unspecified", "crit", " error", "5"}) {
    absl::StatusOr<Severity> parsed = ParseSeverity(bad);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
        << "\"" << bad << "\"";
  }
}

// One row of the README's catalogue table.
struct Row {
  std::string id;
  std::string severity;
  std::string meaning;
};

std::string ReadReadme() {
  std::ifstream in(kReadme);
  if (!in) {
    // Outside `bazel test` the working directory may differ.
    const char* srcdir = std::getenv("TEST_SRCDIR");
    if (srcdir != nullptr) {
      in.open(std::string(srcdir) + "/candor/" + kReadme);
    }
  }
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// Parses the table under kTableHeader. Adds a test failure for every
// malformed row and returns the well-formed ones in order.
std::vector<Row> ParseCatalogueTable(const std::string& readme) {
  std::vector<std::string> lines = absl::StrSplit(readme, '\n');
  int headers = 0;
  size_t start = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (absl::StripAsciiWhitespace(lines[i]) == kTableHeader) {
      ++headers;
      start = i + 2;  // Skip the |---|---|---| line.
    }
  }
  EXPECT_EQ(headers, 1) << "README must have exactly one table headed "
                        << kTableHeader;
  std::vector<Row> rows;
  if (headers == 0) return rows;
  for (size_t i = start; i < lines.size(); ++i) {
    absl::string_view line = absl::StripAsciiWhitespace(lines[i]);
    if (!absl::ConsumePrefix(&line, "|")) break;  // End of the table.
    if (!absl::ConsumeSuffix(&line, "|")) {
      ADD_FAILURE() << "README line " << i + 1 << " does not end with |";
      continue;
    }
    std::vector<absl::string_view> cells = absl::StrSplit(line, '|');
    if (cells.size() != 3) {
      ADD_FAILURE() << "README line " << i + 1 << " has " << cells.size()
                    << " cells, want 3: " << lines[i];
      continue;
    }
    for (absl::string_view& cell : cells) {
      cell = absl::StripAsciiWhitespace(cell);
    }
    absl::string_view id = cells[0];
    if (!absl::ConsumePrefix(&id, "`") || !absl::ConsumeSuffix(&id, "`")) {
      ADD_FAILURE() << "README line " << i + 1
                    << ": the id must be in backticks: " << cells[0];
    }
    absl::string_view severity = cells[1];
    absl::ConsumePrefix(&severity, "`");
    absl::ConsumeSuffix(&severity, "`");
    rows.push_back(
        {std::string(id), std::string(severity), std::string(cells[2])});
  }
  return rows;
}

TEST(CatalogueReadmeTest, ReadmeTableEqualsRegistry) {
  const std::string readme = ReadReadme();
  ASSERT_FALSE(readme.empty()) << "cannot read " << kReadme;
  const std::vector<Row> rows = ParseCatalogueTable(readme);

  std::map<std::string, const Row*> by_id;
  for (const Row& row : rows) {
    EXPECT_TRUE(by_id.emplace(row.id, &row).second)
        << "README lists " << row.id << " twice";
    if (Find(row.id) == nullptr) {
      ADD_FAILURE() << "README lists " << row.id
                    << ", which lib/failure/catalogue.cc lacks";
    }
  }
  for (const FailureKind& kind : Catalogue()) {
    auto it = by_id.find(std::string(kind.id));
    if (it == by_id.end()) {
      ADD_FAILURE() << kind.id << " is in lib/failure/catalogue.cc but not "
                    << "in the README's catalogue table";
      continue;
    }
    const Row& row = *it->second;
    EXPECT_EQ(row.severity, std::string(SeverityLabel(kind.default_severity)))
        << "default severity of " << kind.id << " differs (README vs code)";
    EXPECT_EQ(row.meaning, std::string(kind.meaning))
        << "meaning of " << kind.id << " differs (README vs code)";
  }
  // Same order too, so the two lists read alike. Reported only when both
  // hold the same ids (otherwise the messages above say what differs).
  if (rows.size() != Catalogue().size()) return;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].id != Catalogue()[i].id) {
      ADD_FAILURE() << "order differs: README row " << i + 1 << " is "
                    << rows[i].id << ", catalogue.cc entry " << i + 1 << " is "
                    << Catalogue()[i].id;
      return;
    }
  }
}

}  // namespace
}  // namespace candor::failure
