// ResetImaReplay keeps the clock, boot id and quote count and restarts the
// IMA replay (entry 0, zero PCR 10 of the new bank, boot log unchecked).
#include "services/verifier/admin/attest_reset.h"

#include <string>

#include "gtest/gtest.h"
#include "lib/attest/attest_state.h"

namespace candor::verifier {
namespace {

TEST(AttestResetTest, InitialIsEntryZeroOnTheBank) {
  auto bytes = InitialAttestState(v1::HASH_ALGORITHM_SHA384);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  auto s = attest::ParseState(*bytes);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->ima.bank, TPM2_ALG_SHA384);
  EXPECT_EQ(s->ima.next_entry, 0u);
  EXPECT_EQ(s->ima.pcr10, std::string(48, '\0'));
  EXPECT_FALSE(s->clock.has_value());
  EXPECT_FALSE(InitialAttestState(v1::HASH_ALGORITHM_UNSPECIFIED).ok());
}

TEST(AttestResetTest, ResetKeepsClockBootIdAndCount) {
  auto initial = attest::AgentAttestationState::Initial(TPM2_ALG_SHA256);
  ASSERT_TRUE(initial.ok());
  attest::AgentAttestationState s = std::move(*initial);
  s.ima.next_entry = 1234;
  s.ima.pcr10 = std::string(32, '\x5a');
  s.ima.mode = ima::ExtendMode::kPerBank;
  s.boot_id = "0b5c7d0e-1111-2222-3333-444455556666";
  s.boot_log_checked = true;
  s.clock = quote::ClockInfo{};
  s.clock->clock = 987654;
  s.clock->reset_count = 7;
  s.clock->restart_count = 3;
  s.attestation_count = 42;

  bool malformed = true;
  auto reset = ResetImaReplay(attest::SerializeState(s),
                              v1::HASH_ALGORITHM_SHA1, &malformed);
  ASSERT_TRUE(reset.ok()) << reset.status();
  EXPECT_FALSE(malformed);
  auto r = attest::ParseState(*reset);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->ima.bank, TPM2_ALG_SHA1);
  EXPECT_EQ(r->ima.next_entry, 0u);
  EXPECT_EQ(r->ima.pcr10, std::string(20, '\0'));
  EXPECT_EQ(r->ima.mode, ima::ExtendMode::kUnknown);
  EXPECT_FALSE(r->boot_log_checked);
  EXPECT_EQ(r->boot_id, s.boot_id);
  ASSERT_TRUE(r->clock.has_value());
  EXPECT_EQ(r->clock->clock, 987654u);
  EXPECT_EQ(r->clock->reset_count, 7u);
  EXPECT_EQ(r->clock->restart_count, 3u);
  EXPECT_EQ(r->attestation_count, 42u);
}

TEST(AttestResetTest, MalformedStoredStateGivesAFreshOne) {
  bool malformed = false;
  auto reset = ResetImaReplay("\xff\xff not a proto", v1::HASH_ALGORITHM_SHA256,
                              &malformed);
  ASSERT_TRUE(reset.ok()) << reset.status();
  EXPECT_TRUE(malformed);
  auto r = attest::ParseState(*reset);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ima.next_entry, 0u);
  EXPECT_FALSE(r->clock.has_value());
}

}  // namespace
}  // namespace candor::verifier
