#include "lib/metrics/metrics_catalogue.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/check_names.h"

namespace candor::metrics {
namespace {

using ::testing::MatchesRegex;

constexpr char kReadme[] = "lib/metrics/README.md";
constexpr char kTableHeader[] = "| name | component | type | labels | help |";

TEST(MetricsCatalogueTest, NamesAreValidUniqueAndFollowTheConvention) {
  absl::flat_hash_set<absl::string_view> seen;
  for (const MetricDef& def : Catalogue()) {
    const std::string name(def.name);
    EXPECT_TRUE(prometheus::CheckMetricName(name)) << name;
    EXPECT_THAT(name, MatchesRegex("[a-zA-Z_:][a-zA-Z0-9_:]*")) << name;
    EXPECT_TRUE(absl::StartsWith(
        name, absl::StrCat("candor_", ComponentName(def.component), "_")))
        << name << " does not start with its component";
    EXPECT_THAT(name, MatchesRegex("candor_[a-z]+(_[a-z0-9]+)+"));
    EXPECT_TRUE(seen.insert(def.name).second) << "duplicate " << name;
    EXPECT_EQ(def.type == MetricType::kCounter, absl::EndsWith(name, "_total"))
        << name << ": counters, and only counters, end in _total";
    EXPECT_EQ(Find(name), &def);
  }
  EXPECT_EQ(Catalogue().size(), 14u);
  EXPECT_EQ(Find("candor_verifier_nope"), nullptr);
}

TEST(MetricsCatalogueTest, LabelsAreValidAndLowCardinality) {
  for (const MetricDef& def : Catalogue()) {
    const std::string name(def.name);
    if (def.label.empty()) {
      EXPECT_TRUE(def.values.empty()) << name;
      continue;
    }
    EXPECT_TRUE(prometheus::CheckLabelName(std::string(def.label))) << name;
    EXPECT_THAT(std::string(def.label), MatchesRegex("[a-z]+(_[a-z]+)*"));
    EXPECT_NE(def.label, "le") << name;  // Reserved by histograms.
    EXPECT_FALSE(absl::StrContains(def.label, "agent")) << name;
    EXPECT_LE(def.values.size(), 16u) << name;
    absl::flat_hash_set<absl::string_view> values;
    for (absl::string_view value : def.values) {
      EXPECT_THAT(std::string(value), MatchesRegex("[a-z]+(_[a-z]+)*")) << name;
      EXPECT_TRUE(values.insert(value).second)
          << name << ": duplicate value " << value;
    }
    // Only failure_id takes its values from elsewhere (lib/failure).
    EXPECT_EQ(def.values.empty(), def.label == kLabelFailureId) << name;
  }
}

TEST(MetricsCatalogueTest, HelpAndBuckets) {
  for (const MetricDef& def : Catalogue()) {
    const std::string name(def.name);
    EXPECT_FALSE(def.help.empty()) << name;
    EXPECT_FALSE(absl::StrContains(def.help, "|")) << name;
    EXPECT_FALSE(absl::StrContains(def.help, "\n")) << name;
    EXPECT_FALSE(absl::StrContains(def.help, "\\")) << name;
    if (def.type != MetricType::kHistogram) {
      EXPECT_TRUE(def.buckets.empty()) << name;
      continue;
    }
    EXPECT_TRUE(absl::EndsWith(name, "_seconds")) << name;
    ASSERT_FALSE(def.buckets.empty()) << name;
    for (size_t i = 1; i < def.buckets.size(); ++i) {
      EXPECT_LT(def.buckets[i - 1], def.buckets[i]) << name << " bucket " << i;
    }
  }
}

TEST(MetricsCatalogueTest, EveryDesignMetricIsThere) {
  for (absl::string_view name :
       {kVerifierAttestations, kVerifierAttestationDuration, kVerifierAgents,
        kVerifierOwnedAgents, kVerifierImaEntries, kVerifierFailures,
        kVerifierLeasesGained, kVerifierLeasesLost, kVerifierWatchSubscribers,
        kVerifierDbLatency, kRegistrarRegistrations, kRegistrarActivations,
        kAgentQuotes, kAgentTpmCommandDuration}) {
    EXPECT_NE(Find(name), nullptr) << name;
  }
  const MetricDef* stages = Find(kVerifierAttestationDuration);
  ASSERT_NE(stages, nullptr);
  EXPECT_THAT(stages->values, ::testing::ElementsAre("rpc", "quote", "boot",
                                                     "ima", "policy", "db"));
  EXPECT_THAT(Find(kVerifierAttestations)->values,
              ::testing::ElementsAre("pass", "fail", "incomplete"));
}

// The README's labels cell for `def`.
std::string LabelsCell(const MetricDef& def) {
  if (def.label.empty()) return "-";
  std::string cell = absl::StrCat("`", def.label, "`");
  if (!def.values.empty()) {
    absl::StrAppend(&cell, ": ", absl::StrJoin(def.values, ", "));
  }
  return cell;
}

std::string ReadReadme() {
  std::ifstream in(kReadme);
  if (!in) {
    const char* srcdir = std::getenv("TEST_SRCDIR");
    if (srcdir != nullptr) in.open(std::string(srcdir) + "/candor/" + kReadme);
  }
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// The table under kTableHeader, one vector of trimmed cells per row (the
// name without backticks). Adds a failure for every malformed row.
std::vector<std::vector<std::string>> ParseTable(const std::string& readme) {
  std::vector<std::string> lines = absl::StrSplit(readme, '\n');
  int headers = 0;
  size_t start = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (absl::StripAsciiWhitespace(lines[i]) == kTableHeader) {
      ++headers;
      start = i + 2;  // Skip the |---| line.
    }
  }
  EXPECT_EQ(headers, 1) << "README needs exactly one table headed "
                        << kTableHeader;
  std::vector<std::vector<std::string>> rows;
  if (headers == 0) return rows;
  for (size_t i = start; i < lines.size(); ++i) {
    absl::string_view line = absl::StripAsciiWhitespace(lines[i]);
    if (!absl::ConsumePrefix(&line, "|")) break;
    if (!absl::ConsumeSuffix(&line, "|")) {
      ADD_FAILURE() << "README line " << i + 1 << " does not end with |";
      continue;
    }
    std::vector<std::string> cells;
    for (absl::string_view cell : absl::StrSplit(line, '|')) {
      cells.emplace_back(absl::StripAsciiWhitespace(cell));
    }
    if (cells.size() != 5) {
      ADD_FAILURE() << "README line " << i + 1 << " has " << cells.size()
                    << " cells, want 5: " << lines[i];
      continue;
    }
    absl::string_view name = cells[0];
    if (!absl::ConsumePrefix(&name, "`") || !absl::ConsumeSuffix(&name, "`")) {
      ADD_FAILURE() << "README line " << i + 1
                    << ": the name must be in backticks: " << cells[0];
    }
    cells[0] = std::string(name);
    rows.push_back(cells);
  }
  return rows;
}

TEST(MetricsReadmeTest, ReadmeTableEqualsCatalogue) {
  const std::string readme = ReadReadme();
  ASSERT_FALSE(readme.empty()) << "cannot read " << kReadme;
  const std::vector<std::vector<std::string>> rows = ParseTable(readme);
  std::map<std::string, const std::vector<std::string>*> by_name;
  for (const auto& row : rows) {
    EXPECT_TRUE(by_name.emplace(row[0], &row).second)
        << "README lists " << row[0] << " twice";
    EXPECT_NE(Find(row[0]), nullptr)
        << "README lists " << row[0] << ", which metrics_catalogue.cc lacks";
  }
  for (const MetricDef& def : Catalogue()) {
    auto it = by_name.find(std::string(def.name));
    if (it == by_name.end()) {
      ADD_FAILURE() << def.name << " is in metrics_catalogue.cc but not in "
                    << "the README's table";
      continue;
    }
    const std::vector<std::string>& row = *it->second;
    EXPECT_EQ(row[1], ComponentName(def.component)) << def.name;
    EXPECT_EQ(row[2], TypeName(def.type)) << def.name;
    EXPECT_EQ(row[3], LabelsCell(def)) << def.name;
    EXPECT_EQ(row[4], def.help) << def.name;
  }
  if (rows.size() != Catalogue().size()) return;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i][0] != Catalogue()[i].name) {
      ADD_FAILURE() << "order differs: README row " << i + 1 << " is "
                    << rows[i][0] << ", catalogue entry " << i + 1 << " is "
                    << Catalogue()[i].name;
      return;
    }
  }
}

}  // namespace
}  // namespace candor::metrics
