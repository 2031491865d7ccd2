// Proves that every @system library the WORKSPACE declares compiles, links and
// runs from Debian's packages: one real call into each.
#include <archive.h>
#include <grpcpp/grpcpp.h>
#include <openssl/crypto.h>
#include <postgresql/libpq-fe.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include <google/protobuf/stubs/common.h>
#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "rapidjson/document.h"
#include "re2/re2.h"
#include "simdjson.h"

namespace {

TEST(SystemLibsTest, GrpcAndProtobuf) {
  EXPECT_FALSE(grpc::Version().empty());
  EXPECT_GE(GOOGLE_PROTOBUF_VERSION, 3021000);
}

TEST(SystemLibsTest, Tss2) {
  uint8_t buf[4];
  size_t off = 0;
  EXPECT_EQ(Tss2_MU_UINT32_Marshal(0x01020304, buf, sizeof(buf), &off),
            TSS2_RC_SUCCESS);
  EXPECT_EQ(buf[0], 1);
  EXPECT_NE(std::string(Tss2_RC_Decode(TPM2_RC_FAILURE)), "");
  TSS2_TCTI_CONTEXT* tcti = nullptr;
  EXPECT_NE(Tss2_TctiLdr_Initialize("no-such-tcti-module", &tcti),
            TSS2_RC_SUCCESS);
}

TEST(SystemLibsTest, PostgresClients) {
  EXPECT_GE(PQlibVersion(), 150000);
  EXPECT_THROW(pqxx::connection("host=127.0.0.1 port=1 connect_timeout=1"),
               pqxx::broken_connection);
}

TEST(SystemLibsTest, Prometheus) {
  auto registry = std::make_shared<prometheus::Registry>();
  auto& family = prometheus::BuildCounter().Name("candor_test_total").Help("t")
                     .Register(*registry);
  family.Add({}).Increment();
  prometheus::Exposer exposer("127.0.0.1:0");
  exposer.RegisterCollectable(registry);
  EXPECT_FALSE(exposer.GetListeningPorts().empty());
}

TEST(SystemLibsTest, OpenSslAndRe2) {
  EXPECT_GE(OPENSSL_version_major(), 3u);
  EXPECT_TRUE(RE2::FullMatch("ima.not_in_policy", R"(ima\.[a-z_]+)"));
}

TEST(SystemLibsTest, JsonLibraries) {
  EXPECT_EQ(nlohmann::json::parse(R"({"a": 1})")["a"], 1);
  rapidjson::Document d;
  d.Parse(R"({"a": 2})");
  EXPECT_EQ(d["a"].GetInt(), 2);
  simdjson::ondemand::parser parser;
  simdjson::padded_string json(std::string(R"({"a": 3})"));
  auto doc = parser.iterate(json);
  EXPECT_EQ(int64_t(doc["a"]), 3);
}

TEST(SystemLibsTest, CliLoggingArchiveAbseil) {
  CLI::App app("t");
  int x = 0;
  app.add_option("-x", x);
  const char* argv[] = {"t", "-x", "7"};
  app.parse(3, argv);
  EXPECT_EQ(x, 7);
  spdlog::debug("linked");
  EXPECT_NE(std::string(archive_version_string()), "");
  EXPECT_EQ(absl::StrCat("a", 1), "a1");
}

}  // namespace
