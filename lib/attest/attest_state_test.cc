// AgentAttestationState serialization: a full round trip (learned keys,
// clock) and refusal of malformed stored bytes.
#include "lib/attest/attest_state.h"

#include <string>

#include "candor/internal/v1/attest_state.pb.h"
#include "gtest/gtest.h"
#include "lib/ima/keyring.h"
#include "lib/quote/testing/quote_builder.h"

namespace candor::attest {
namespace {

TEST(AttestStateTest, RoundTrip) {
  auto s = AgentAttestationState::Initial(TPM2_ALG_SHA384);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->ima.pcr10, std::string(48, '\0'));
  s->ima.pcr10 = std::string(48, '\x5a');
  s->ima.next_entry = 1234;
  s->ima.mode = ima::ExtendMode::kPaddedSha1;
  auto ak = quote::testing::SoftwareAk::Generate(
      quote::testing::SoftwareAk::kEccP256, TPM2_ALG_ECDSA, TPM2_ALG_SHA256);
  ASSERT_TRUE(ak.ok());
  auto key = ima::ParseKeyDer(ak->SpkiDer());
  ASSERT_TRUE(key.ok()) << key.status();
  key->keyid = 0xdeadbeef;  // as from a certificate's subject key identifier
  key->source = ".ima";
  s->eval.learned_keys.Add(*key);
  s->boot_id = "11111111-1111-1111-1111-111111111111";
  s->boot_log_checked = true;
  s->clock = quote::ClockInfo{987654, 7, 2, false};
  s->attestation_count = 42;

  absl::StatusOr<AgentAttestationState> back = ParseState(SerializeState(*s));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->ima.bank, TPM2_ALG_SHA384);
  EXPECT_EQ(back->ima.pcr10, s->ima.pcr10);
  EXPECT_EQ(back->ima.next_entry, 1234u);
  EXPECT_EQ(back->ima.mode, ima::ExtendMode::kPaddedSha1);
  ASSERT_EQ(back->eval.learned_keys.size(), 1u);
  const ima::KeyringKey& k = back->eval.learned_keys.keys()[0];
  EXPECT_EQ(k.keyid, 0xdeadbeefu);
  EXPECT_EQ(k.source, ".ima");
  EXPECT_EQ(k.spki_der, key->spki_der);
  EXPECT_NE(k.key, nullptr);
  EXPECT_EQ(back->boot_id, s->boot_id);
  EXPECT_TRUE(back->boot_log_checked);
  ASSERT_TRUE(back->clock.has_value());
  EXPECT_EQ(*back->clock, *s->clock);
  EXPECT_EQ(back->attestation_count, 42u);
  EXPECT_EQ(SerializeState(*back), SerializeState(*s));
}

TEST(AttestStateTest, InitialHasNoClock) {
  auto s = AgentAttestationState::Initial();
  ASSERT_TRUE(s.ok());
  auto back = ParseState(SerializeState(*s));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_FALSE(back->clock.has_value());
  EXPECT_EQ(back->ima.bank, TPM2_ALG_SHA256);
  EXPECT_EQ(back->ima.next_entry, 0u);
  EXPECT_TRUE(WantBootLog(*back));
  EXPECT_EQ(ImaStartEntry(*back), 0u);
}

TEST(AttestStateTest, RefusesMalformedBytes) {
  EXPECT_FALSE(ParseState("\xff\xff\xff").ok());
  candor::internal::v1::AgentAttestationState p;
  p.set_ima_bank(candor::v1::HASH_ALGORITHM_SHA256);
  p.set_ima_pcr10(std::string(20, '\0'));  // wrong size for sha256
  absl::StatusOr<AgentAttestationState> s = ParseState(p.SerializeAsString());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("ima_pcr10"), std::string::npos);
  p.set_ima_pcr10(std::string(32, '\0'));
  p.add_learned_keys()->set_spki_der("not a key");
  s = ParseState(p.SerializeAsString());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("learned_keys[0]"), std::string::npos);
  EXPECT_FALSE(ParseState("").ok());  // bank unspecified
}

}  // namespace
}  // namespace candor::attest
