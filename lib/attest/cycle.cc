#include "lib/attest/cycle.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/convert/pcr_convert.h"
#include "lib/eventlog/checks.h"
#include "lib/eventlog/event_log.h"
#include "lib/failure/catalogue.h"
#include "lib/policy/runtime/appraise.h"
#include "lib/quote/verify.h"
#include "lib/status/status_macros.h"

namespace candor::attest {
namespace {

using v1::Failure;

void Append(std::vector<Failure> from, std::vector<Failure>* to) {
  for (Failure& f : from) to->push_back(std::move(f));
}

bool IsWarning(const Failure& f) {
  return f.severity() != v1::SEVERITY_UNSPECIFIED &&
         f.severity() <= v1::SEVERITY_WARNING;
}

size_t CountFailures(const std::vector<Failure>& findings) {
  size_t n = 0;
  for (const Failure& f : findings) n += IsWarning(f) ? 0 : 1;
  return n;
}

const std::string* FindPcr(const tpm::PcrValues& values, TPM2_ALG_ID bank,
                           uint32_t pcr) {
  auto b = values.find(bank);
  if (b == values.end()) return nullptr;
  auto p = b->second.find(pcr);
  return p == b->second.end() ? nullptr : &p->second;
}

// Step 3: the boot log. Returns true when the boot question is settled for
// this boot (log checked without failures, or none and none needed).
bool CheckBoot(const CycleInput& in, bool asked, const tpm::PcrValues& values,
               std::vector<Failure>* findings) {
  const v1::Evidence& ev = *in.evidence;
  if (ev.boot_log().empty()) {
    if (!asked) return false;
    if (in.boot == nullptr) return true;
    findings->push_back(failure::MakeFailure(
        failure::kBootLogMissing,
        ev.boot_log_missing()
            ? "the agent has no UEFI event log, but a boot policy is set"
            : "the boot log was asked for and not sent"));
    return false;
  }
  absl::StatusOr<eventlog::EventLog> log =
      eventlog::EventLog::Parse(ev.boot_log());
  if (!log.ok()) {
    findings->push_back(failure::MakeFailure(
        failure::kBootLogMalformed, std::string(log.status().message())));
    return false;
  }
  size_t before = CountFailures(*findings);
  Append(eventlog::CheckEventLog(*log, values), findings);
  if (in.boot != nullptr) Append(in.boot->Evaluate(*log), findings);
  return CountFailures(*findings) == before;
}

// Step 5: static PCR policy and the transport-key binding in PCR 16.
void CheckPcrs(const CycleInput& in, const tpm::PcrValues& values,
               std::vector<Failure>* findings) {
  if (in.pcr != nullptr) Append(in.pcr->Evaluate(values), findings);
  for (const auto& [bank, expected] : in.expected_pcr16) {
    const std::string* got = FindPcr(values, bank, 16);
    if (got == nullptr) {
      findings->push_back(failure::MakeFailure(
          failure::kPcrMissing,
          absl::StrCat("the quote lacks PCR 16 of bank ", tpm::BankName(bank),
                       " (transport key binding)"),
          {{"pcr", "16"}, {"bank", tpm::BankName(bank)}}));
    } else if (*got != expected) {
      findings->push_back(failure::MakeFailure(
          failure::kPcrTransportKeyMismatch,
          absl::StrCat("PCR 16 of bank ", tpm::BankName(bank),
                       " is not bound to the agent's transport key"),
          {{"pcr", "16"},
           {"bank", tpm::BankName(bank)},
           {"expected", absl::BytesToHexString(expected)},
           {"got", absl::BytesToHexString(*got)}}));
    }
  }
}

Failure InvalidEntry(std::string message, uint64_t expected, uint64_t got) {
  return failure::MakeFailure(
      failure::kImaInvalidEntryNumber, std::move(message),
      {{"expected", absl::StrCat(expected)}, {"got", absl::StrCat(got)}});
}

struct ImaOutcome {
  bool matched = false;
  ima::ReplayState state;
  policy::EvalState eval;
  bool more_needed = false;
  uint64_t next_page = 0;
  bool restart_needed = false;
};

// Step 4. `base` is the state to replay from (already reset on a new boot).
absl::StatusOr<ImaOutcome> CheckIma(const CycleInput& in,
                                    const AgentAttestationState& base,
                                    bool new_boot, const tpm::PcrValues& values,
                                    std::vector<Failure>* findings) {
  ImaOutcome out;
  const TPM2_ALG_ID bank = base.ima.bank;
  const std::string* pcr10 = FindPcr(values, bank, ima::kImaPcr);
  if (pcr10 == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "EvaluateCycle: a runtime policy is set but the requested selection "
        "lacks PCR 10 of the IMA bank ",
        tpm::BankName(bank)));
  }
  const v1::ImaEntries& first = in.evidence->ima_entries();
  const uint64_t asked = ImaStartEntry(*in.state);
  if (!first.log_missing()) {
    if (first.restarted_from_zero() && first.start_entry() != 0) {
      findings->push_back(InvalidEntry(
          "IMA answer restarted from zero but does not start at entry 0", 0,
          first.start_entry()));
      return out;
    }
    if (!first.restarted_from_zero() && first.start_entry() != asked) {
      findings->push_back(InvalidEntry(
          absl::StrCat("IMA answer starts at entry ", first.start_entry(),
                       ", entry ", asked, " was asked"),
          asked, first.start_entry()));
      return out;
    }
    if (new_boot && first.start_entry() != 0) {
      out.restart_needed = true;
      return out;
    }
  }
  std::vector<absl::string_view> lines;
  uint64_t next = first.start_entry();
  bool more = false;
  auto add_page = [&](const v1::ImaEntries& page) {
    for (const std::string& l : page.lines()) lines.push_back(l);
    next += page.lines_size();
    more = page.more();
  };
  if (!first.log_missing()) add_page(first);
  if (in.more_ima_pages != nullptr) {
    for (size_t i = 0; i < in.more_ima_pages->size(); ++i) {
      const v1::ImaEntries& page = (*in.more_ima_pages)[i];
      if (page.restarted_from_zero() || page.start_entry() != next) {
        findings->push_back(InvalidEntry(
            absl::StrCat("IMA page ", i + 1, " starts at entry ",
                         page.start_entry(), ", not where page ", i, " ended"),
            next, page.start_entry()));
        return out;
      }
      add_page(page);
    }
  }
  bool have_boot_pcrs = true;
  for (uint32_t p = 0; p <= 9; ++p) {
    have_boot_pcrs = have_boot_pcrs && FindPcr(values, bank, p) != nullptr;
  }
  policy::AppraiseOptions o;
  o.policy = in.runtime;
  o.boot_pcrs = have_boot_pcrs ? &values : nullptr;
  o.replay.quoted_pcr10 = *pcr10;
  out.eval = base.eval;
  ABSL_ASSIGN_OR_RETURN(policy::Appraisal a,
                        policy::AppraiseImaLog(base.ima, lines, o, &out.eval),
                        _ << "EvaluateCycle: IMA appraisal");
  out.matched = a.replay.pcr_matched;
  out.state = std::move(a.replay.state);
  if (!out.matched && more) {
    out.more_needed = true;
    out.next_page = next;
    for (Failure& f : a.findings) {
      if (f.id() != failure::kImaPcrMismatch) findings->push_back(std::move(f));
    }
    return out;
  }
  Append(std::move(a.findings), findings);
  return out;
}

}  // namespace

bool CycleResult::passed_at(v1::Severity threshold) const {
  if (more_ima_pages_needed || ima_restart_needed) return false;
  for (const auto* list : {&failures, &warnings}) {
    for (const Failure& f : *list) {
      if (f.severity() >= threshold || f.severity() == v1::SEVERITY_UNSPECIFIED)
        return false;
    }
  }
  return true;
}

absl::StatusOr<CycleResult> EvaluateCycle(const CycleInput& in) {
  if (in.state == nullptr || in.ak == nullptr || in.requested == nullptr ||
      in.evidence == nullptr) {
    return absl::InvalidArgumentError(
        "EvaluateCycle: state, ak, requested and evidence are required");
  }
  const AgentAttestationState& state = *in.state;
  const v1::Evidence& ev = *in.evidence;
  CycleResult r;
  r.new_state = state;
  r.boot_log_needed_next = WantBootLog(state);
  r.ima_next_request_entry = ImaStartEntry(state);

  // Step 2: the quote. Nothing else is believed unless it passes.
  absl::StatusOr<tpm::PcrValues> values =
      convert::ValuesFromProto(ev.quote().pcr_values());
  if (!values.ok()) {
    r.failures.push_back(
        failure::MakeFailure(failure::kAgentInvalidResponse,
                             absl::StrCat("Evidence.quote.pcr_values: ",
                                          values.status().message())));
    return r;
  }
  quote::QuoteInput qi;
  qi.attest = ev.quote().attest();
  qi.signature = ev.quote().signature();
  qi.pcr_values = &*values;
  qi.requested = in.requested;
  qi.nonce = in.nonce;
  qi.previous_clock = state.clock;
  ABSL_ASSIGN_OR_RETURN(quote::QuoteResult q, quote::VerifyQuote(*in.ak, qi),
                        _ << "EvaluateCycle");
  r.warnings = std::move(q.warnings);
  if (!q.ok()) {
    r.failures = std::move(q.failures);
    if (r.failures.empty()) {  // not expected: ok() is false only with one
      r.failures.push_back(failure::MakeFailure(
          failure::kQuoteBadSignature, "the quote signature did not verify"));
    }
    return r;
  }
  const quote::ClockInfo& clock = q.attest->clock_info;

  std::vector<Failure> findings;
  // New boot: IMA replay back to entry 0, boot log needed again.
  const bool boot_id_changed =
      !state.boot_id.empty() && ev.boot_id() != state.boot_id;
  const bool new_boot = boot_id_changed ||
                        ev.ima_entries().restarted_from_zero() ||
                        (state.clock.has_value() &&
                         state.clock->reset_count != clock.reset_count);
  AgentAttestationState& next = r.new_state;
  next.clock = clock;
  ++next.attestation_count;
  if (ev.boot_id().empty()) {
    findings.push_back(failure::MakeFailure(failure::kAgentInvalidResponse,
                                            "Evidence.boot_id is empty"));
  } else {
    next.boot_id = ev.boot_id();
  }
  if (boot_id_changed) {
    findings.push_back(failure::MakeFailure(
        failure::kAgentRebooted, "the agent's boot id changed",
        {{"previous", state.boot_id}, {"current", ev.boot_id()}}));
  }
  if (new_boot) {
    ABSL_ASSIGN_OR_RETURN(next.ima, ima::ReplayState::AtBoot(state.ima.bank),
                          _ << "EvaluateCycle: stored IMA bank");
    next.eval = policy::EvalState();
    next.boot_log_checked = false;
  }

  // Step 3: boot log.
  if (CheckBoot(in, WantBootLog(state), *values, &findings)) {
    next.boot_log_checked = true;
  }

  // Step 4: IMA (replay base = `next` before it is advanced).
  ImaOutcome ima;
  if (in.runtime != nullptr) {
    ABSL_ASSIGN_OR_RETURN(ima,
                          CheckIma(in, next, new_boot, *values, &findings));
  }

  // Step 5: PCRs.
  CheckPcrs(in, *values, &findings);

  for (Failure& f : findings) {
    (IsWarning(f) ? r.warnings : r.failures).push_back(std::move(f));
  }
  // Advance IMA only when the whole cycle has no failure.
  if (ima.matched && r.failures.empty()) {
    next.ima = std::move(ima.state);
    next.eval = std::move(ima.eval);
  }
  r.more_ima_pages_needed = ima.more_needed;
  r.ima_restart_needed = ima.restart_needed;
  r.ima_next_request_entry =
      ima.more_needed ? ima.next_page : next.ima.next_entry;
  r.boot_log_needed_next = WantBootLog(next);
  return r;
}

}  // namespace candor::attest
