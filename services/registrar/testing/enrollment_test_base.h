// File: services/registrar/testing/enrollment_test_base.h  (testonly)
//
// The fixture shared by the Enrollment unit tests: an in-memory store, a fake
// clock, a test EK CA (written to a temporary --ek_ca_dir), an allowlist
// holding one certificate-less software agent, and helpers to make software
// agents and enroll them (Register, software ActivateCredential, Activate).
#ifndef CANDOR_SERVICES_REGISTRAR_TESTING_ENROLLMENT_TEST_BASE_H_
#define CANDOR_SERVICES_REGISTRAR_TESTING_ENROLLMENT_TEST_BASE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/testing/test_certs.h"
#include "services/registrar/enrollment.h"
#include "services/registrar/identity_checks.h"
#include "services/registrar/store/in_memory_store.h"
#include "services/registrar/testing/enrollment_fixture.h"
#include "services/registrar/testing/fake_clock.h"

namespace candor::registrar::testing {

using ::testing::HasSubstr;
using Code = absl::StatusCode;

#define EXPECT_CODE(expr, want_code, needle)                   \
  do {                                                         \
    const absl::Status s_ = (expr).status();                   \
    EXPECT_EQ(s_.code(), want_code) << s_;                     \
    EXPECT_THAT(std::string(s_.message()), HasSubstr(needle)); \
  } while (0)

class EnrollmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = testing::MakeTestEkCa("Test EK");
    ASSERT_TRUE(ca.ok()) << ca.status();
    ca_ = std::make_unique<testing::TestEkCa>(std::move(*ca));
    auto no_cert = Agent("", /*with_cert=*/false);
    no_cert_ = std::make_unique<SoftwareAgent>(std::move(no_cert));
    allowlist_ = crypto::test_certs::NewTempDir("allow") + "/ek.allow";
    ASSERT_TRUE(crypto::test_certs::WriteFile(
                    allowlist_, EkHash(no_cert_->ek.marshalled) + "\n")
                    .ok());
    Reset(EnrollmentOptions());
  }
  void Reset(EnrollmentOptions options, bool accept_any = false) {
    auto trust = EkTrust::Load({ca_->dir, allowlist_, accept_any});
    ASSERT_TRUE(trust.ok()) << trust.status();
    trust_ = std::make_unique<EkTrust>(std::move(*trust));
    enrollment_ =
        std::make_unique<Enrollment>(&store_, trust_.get(), &clock_, options);
  }
  // A software agent (EK-derived id unless `id` is set) whose EK
  // certificate comes from the configured CA. No transport key unless asked
  // (RSA key generation is slow).
  SoftwareAgent Agent(std::string id = "", bool with_cert = true,
                      EkKind ek = EkKind::kEccP256,
                      AkKind ak = AkKind::kEccP256, bool transport = false,
                      bool tls = true) {
    AgentOptions o;
    o.ek = ek;
    o.ak = ak;
    o.ca = with_cert ? ca_.get() : nullptr;
    o.agent_id = std::move(id);
    o.transport_key = transport;
    o.tls_certificate = tls;
    auto a = testing::MakeSoftwareAgent(o);
    EXPECT_TRUE(a.ok()) << a.status();
    return std::move(*a);
  }
  absl::StatusOr<v1::RegisteredAgent> Enroll(const SoftwareAgent& a) {
    auto challenge = enrollment_->Register(a.MakeRegisterRequest());
    if (!challenge.ok()) return challenge.status();
    auto activate = a.MakeActivateRequest(*challenge);
    if (!activate.ok()) return activate.status();
    return enrollment_->Activate(*activate);
  }
  std::vector<std::string> ListIds(
      v1::RegistrationState state = v1::REGISTRATION_STATE_UNSPECIFIED) {
    v1::ListRegisteredAgentsRequest req;
    req.set_state(state);
    req.set_page_size(1000);
    auto page = enrollment_->List(req);
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<std::string> ids;
    for (const auto& a : page->agents()) ids.push_back(a.identity().agent_id());
    return ids;
  }

  testing::FakeClock clock_;
  InMemoryRegistrarStore store_;
  std::unique_ptr<testing::TestEkCa> ca_;
  std::unique_ptr<SoftwareAgent> no_cert_;
  std::string allowlist_;
  std::unique_ptr<EkTrust> trust_;
  std::unique_ptr<Enrollment> enrollment_;
};

}  // namespace candor::registrar::testing

#endif  // CANDOR_SERVICES_REGISTRAR_TESTING_ENROLLMENT_TEST_BASE_H_
