#include "lib/eventlog/checks.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/eventlog/event_types.h"
#include "lib/eventlog/hashing.h"
#include "lib/eventlog/replay.h"
#include "lib/failure/catalogue.h"

namespace candor::eventlog {
namespace {

using candor::v1::Failure;

// Collects failures, at most kMaxFailuresPerCheck, then counts the rest.
class Findings {
 public:
  explicit Findings(absl::string_view id) : id_(id) {}
  bool Full() const { return out_.size() >= kMaxFailuresPerCheck; }
  void Add(Failure f) {
    if (Full()) {
      ++dropped_;
    } else {
      out_.push_back(std::move(f));
    }
  }
  std::vector<Failure> Take() {
    if (dropped_ > 0) {
      out_.push_back(failure::MakeFailure(
          id_,
          absl::StrCat(dropped_,
                       " more findings of this kind were not "
                       "listed"),
          {{"omitted", absl::StrCat(dropped_)}}));
    }
    return std::move(out_);
  }

 private:
  absl::string_view id_;
  std::vector<Failure> out_;
  size_t dropped_ = 0;
};

std::string Describe(const Event& e) {
  return absl::StrCat("event ", e.number, " (", EventTypeLabel(e.type),
                      ", PCR ", e.pcr, ")");
}

std::string Hex(absl::string_view bytes) {
  return absl::BytesToHexString(bytes);
}

}  // namespace

bool DigestCoversData(uint32_t type) {
  switch (type) {
    case kEvSCrtmVersion:
    case kEvSeparator:
    case kEvEfiVariableDriverConfig:
    case kEvEfiVariableAuthority:
    case kEvEfiGptEvent:
    case kEvEfiAction:
    case kEvEfiVariableBoot:
      return true;
    default:
      return false;
  }
}

std::vector<Failure> CheckSeparatorLookalikes(const EventLog& log) {
  Findings out(failure::kBootSeparatorLookalike);
  // Per bank: H(00000000) and H(FFFFFFFF).
  std::vector<std::pair<TPM2_ALG_ID, std::string>> separators;
  for (TPM2_ALG_ID bank : log.banks()) {
    for (absl::string_view v : {absl::string_view("\0\0\0\0", 4),
                                absl::string_view("\xff\xff\xff\xff", 4)}) {
      std::string h;
      if (HashForBank(bank, v, &h)) separators.emplace_back(bank, h);
    }
  }
  for (const Event& e : log.events()) {
    if (e.number == 0 || e.type == kEvSeparator) continue;
    for (const auto& [bank, value] : separators) {
      const std::string* d = e.DigestFor(bank);
      if (d == nullptr || *d != value) continue;
      out.Add(failure::MakeFailure(
          failure::kBootSeparatorLookalike,
          absl::StrCat(Describe(e), " has the ", tpm::BankName(bank),
                       " digest of a separator but is not EV_SEPARATOR"),
          {{"event", absl::StrCat(e.number)},
           {"pcr", absl::StrCat(e.pcr)},
           {"type", EventTypeLabel(e.type)},
           {"bank", tpm::BankName(bank)},
           {"got", Hex(*d)}}));
      break;
    }
  }
  return out.Take();
}

std::vector<Failure> CheckEventDigests(const EventLog& log) {
  Findings out(failure::kBootDigestMismatch);
  for (const Event& e : log.events()) {
    if (e.number == 0 || !DigestCoversData(e.type)) continue;
    absl::string_view covered = e.data;
    if (e.type == kEvEfiVariableBoot && e.variable.has_value()) {
      covered = e.variable->data;
    }
    for (const EventDigest& d : e.digests) {
      std::string want;
      if (!HashForBank(d.bank, covered, &want) || want == d.value) continue;
      out.Add(failure::MakeFailure(
          failure::kBootDigestMismatch,
          absl::StrCat(
              Describe(e), ": the ", tpm::BankName(d.bank),
              " digest is not the hash of the ",
              e.type == kEvEfiVariableBoot ? "variable data" : "event data"),
          {{"event", absl::StrCat(e.number)},
           {"pcr", absl::StrCat(e.pcr)},
           {"type", EventTypeLabel(e.type)},
           {"bank", tpm::BankName(d.bank)},
           {"expected", Hex(want)},
           {"got", Hex(d.value)}}));
      break;
    }
  }
  return out.Take();
}

std::vector<Failure> CheckReplayAgainstQuote(const EventLog& log,
                                             const tpm::PcrValues& replayed,
                                             const tpm::PcrValues& quoted,
                                             const QuoteCheckOptions& options) {
  Findings out(failure::kBootPcrMismatch);
  std::set<uint32_t> pcrs(options.required_pcrs.begin(),
                          options.required_pcrs.end());
  for (uint32_t p : options.pcrs_if_measured) {
    if (log.Measures(p)) pcrs.insert(p);
  }
  bool compared = false;
  for (const auto& [bank, quoted_bank] : quoted) {
    auto rb = replayed.find(bank);
    if (rb == replayed.end()) continue;
    compared = true;
    absl::StatusOr<size_t> size = tpm::BankDigestSize(bank);
    for (uint32_t p : pcrs) {
      std::string bank_name = tpm::BankName(bank);
      auto q = quoted_bank.find(p);
      if (q == quoted_bank.end()) {
        out.Add(failure::MakeFailure(
            failure::kPcrMissing,
            absl::StrCat("PCR ", p, " (", bank_name,
                         ") is needed to check "
                         "the event log but the quote does not cover it"),
            {{"pcr", absl::StrCat(p)}, {"bank", bank_name}}));
        continue;
      }
      std::string expected;
      auto r = rb->second.find(p);
      if (r != rb->second.end()) {
        expected = r->second;
      } else {  // never named by the log: the reset value
        expected.assign(size.ok() ? *size : q->second.size(), '\0');
        if (p == 0 && !expected.empty()) {
          expected.back() = static_cast<char>(log.pcr0_locality());
        }
      }
      if (expected == q->second) continue;
      out.Add(failure::MakeFailure(
          failure::kBootPcrMismatch,
          absl::StrCat("PCR ", p, " (", bank_name,
                       "): replaying the event log "
                       "gives ",
                       Hex(expected), ", the quote has ", Hex(q->second)),
          {{"pcr", absl::StrCat(p)},
           {"bank", bank_name},
           {"expected", Hex(expected)},
           {"got", Hex(q->second)}}));
    }
  }
  if (!compared) {
    std::vector<std::string> qb, lb;
    for (const auto& entry : quoted) qb.push_back(tpm::BankName(entry.first));
    for (const auto& entry : replayed) lb.push_back(tpm::BankName(entry.first));
    out.Add(failure::MakeFailure(
        failure::kBootPcrMismatch,
        absl::StrCat("the quote's banks (", absl::StrJoin(qb, ", "),
                     ") are not in the event log (", absl::StrJoin(lb, ", "),
                     "): the log cannot be checked against the quote"),
        {{"bank", absl::StrJoin(qb, ",")}}));
  }
  return out.Take();
}

std::vector<Failure> CheckEventLog(const EventLog& log,
                                   const tpm::PcrValues& quoted,
                                   const QuoteCheckOptions& options) {
  std::vector<Failure> out =
      CheckReplayAgainstQuote(log, Replay(log), quoted, options);
  for (auto* check : {&CheckSeparatorLookalikes, &CheckEventDigests}) {
    std::vector<Failure> more = (*check)(log);
    out.insert(out.end(), std::make_move_iterator(more.begin()),
               std::make_move_iterator(more.end()));
  }
  return out;
}

}  // namespace candor::eventlog
