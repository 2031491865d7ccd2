#include "lib/attest/attest_state.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "candor/internal/v1/attest_state.pb.h"
#include "lib/convert/pcr_convert.h"
#include "lib/ima/keyring.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/pcr_values.h"

namespace candor::attest {
namespace {

namespace ipb = ::candor::internal::v1;

ipb::ImaExtendMode ModeToProto(ima::ExtendMode mode) {
  switch (mode) {
    case ima::ExtendMode::kPerBank:
      return ipb::IMA_EXTEND_MODE_PER_BANK;
    case ima::ExtendMode::kPaddedSha1:
      return ipb::IMA_EXTEND_MODE_PADDED_SHA1;
    case ima::ExtendMode::kUnknown:
      break;
  }
  return ipb::IMA_EXTEND_MODE_UNSPECIFIED;
}

absl::StatusOr<ima::ExtendMode> ModeFromProto(int mode) {
  switch (mode) {
    case ipb::IMA_EXTEND_MODE_UNSPECIFIED:
      return ima::ExtendMode::kUnknown;
    case ipb::IMA_EXTEND_MODE_PER_BANK:
      return ima::ExtendMode::kPerBank;
    case ipb::IMA_EXTEND_MODE_PADDED_SHA1:
      return ima::ExtendMode::kPaddedSha1;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("ParseState: unknown ima_extend_mode ", mode));
  }
}

}  // namespace

absl::StatusOr<AgentAttestationState> AgentAttestationState::Initial(
    TPM2_ALG_ID ima_bank) {
  AgentAttestationState s;
  ABSL_ASSIGN_OR_RETURN(s.ima, ima::ReplayState::AtBoot(ima_bank),
                        _ << "AgentAttestationState::Initial");
  return s;
}

std::string SerializeState(const AgentAttestationState& state) {
  ipb::AgentAttestationState p;
  absl::StatusOr<v1::HashAlgorithm> bank = convert::BankToProto(state.ima.bank);
  p.set_ima_bank(bank.ok() ? *bank : v1::HASH_ALGORITHM_UNSPECIFIED);
  p.set_ima_pcr10(state.ima.pcr10);
  p.set_ima_next_entry(state.ima.next_entry);
  p.set_ima_extend_mode(ModeToProto(state.ima.mode));
  for (const ima::KeyringKey& k : state.eval.learned_keys.keys()) {
    ipb::LearnedImaKey* out = p.add_learned_keys();
    out->set_keyid(k.keyid);
    out->set_spki_der(k.spki_der);
    out->set_source(k.source);
  }
  p.set_boot_id(state.boot_id);
  p.set_boot_log_checked(state.boot_log_checked);
  if (state.clock.has_value()) {
    ipb::StoredClockInfo* c = p.mutable_clock();
    c->set_clock(state.clock->clock);
    c->set_reset_count(state.clock->reset_count);
    c->set_restart_count(state.clock->restart_count);
    c->set_safe(state.clock->safe);
  }
  p.set_attestation_count(state.attestation_count);
  return p.SerializeAsString();
}

absl::StatusOr<AgentAttestationState> ParseState(absl::string_view bytes) {
  ipb::AgentAttestationState p;
  if (!p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ParseState: ", bytes.size(),
        " bytes are not a candor.internal.v1.AgentAttestationState"));
  }
  AgentAttestationState s;
  ABSL_ASSIGN_OR_RETURN(TPM2_ALG_ID bank, convert::BankFromProto(p.ima_bank()),
                        _ << "ParseState: ima_bank");
  ABSL_ASSIGN_OR_RETURN(size_t size, tpm::BankDigestSize(bank),
                        _ << "ParseState: ima_bank");
  if (p.ima_pcr10().size() != size) {
    return absl::InvalidArgumentError(
        absl::StrCat("ParseState: ima_pcr10 has ", p.ima_pcr10().size(),
                     " bytes, bank ", tpm::BankName(bank), " needs ", size));
  }
  s.ima.bank = bank;
  s.ima.pcr10 = p.ima_pcr10();
  s.ima.next_entry = p.ima_next_entry();
  ABSL_ASSIGN_OR_RETURN(s.ima.mode, ModeFromProto(p.ima_extend_mode()));
  for (int i = 0; i < p.learned_keys_size(); ++i) {
    const ipb::LearnedImaKey& k = p.learned_keys(i);
    ABSL_ASSIGN_OR_RETURN(ima::KeyringKey key, ima::ParseKeyDer(k.spki_der()),
                          _ << "ParseState: learned_keys[" << i << "]");
    key.keyid = k.keyid();
    key.source = k.source();
    s.eval.learned_keys.Add(std::move(key));
  }
  s.boot_id = p.boot_id();
  s.boot_log_checked = p.boot_log_checked();
  if (p.has_clock()) {
    quote::ClockInfo c;
    c.clock = p.clock().clock();
    c.reset_count = p.clock().reset_count();
    c.restart_count = p.clock().restart_count();
    c.safe = p.clock().safe();
    s.clock = c;
  }
  s.attestation_count = p.attestation_count();
  return s;
}

}  // namespace candor::attest
