#include "lib/eventlog/replay.h"

#include <string>

#include "lib/eventlog/event_types.h"
#include "lib/eventlog/hashing.h"

namespace candor::eventlog {

tpm::PcrValues Replay(const EventLog& log) {
  tpm::PcrValues out;
  for (const SpecIdAlgorithm& alg : log.spec_id().algorithms) {
    if (BankMd(alg.bank) == nullptr) continue;
    tpm::PcrBank& bank = out[alg.bank];
    const std::vector<Event>& events = log.events();
    for (size_t i = 1; i < events.size(); ++i) {
      const Event& e = events[i];
      auto it = bank.find(e.pcr);
      if (it == bank.end()) {
        std::string start(alg.digest_size, '\0');
        if (e.pcr == 0) start.back() = static_cast<char>(log.pcr0_locality());
        it = bank.emplace(e.pcr, std::move(start)).first;
      }
      if (e.type == kEvNoAction) continue;
      const std::string* digest = e.DigestFor(alg.bank);
      // Parse guarantees one digest per SpecID bank; keep the check anyway.
      if (digest != nullptr) ExtendPcr(alg.bank, &it->second, *digest);
    }
  }
  return out;
}

std::vector<TPM2_ALG_ID> SkippedBanks(const EventLog& log) {
  std::vector<TPM2_ALG_ID> out;
  for (const SpecIdAlgorithm& alg : log.spec_id().algorithms) {
    if (BankMd(alg.bank) == nullptr) out.push_back(alg.bank);
  }
  return out;
}

}  // namespace candor::eventlog
