#include "tools/agent_sim/fleet.h"

#include <atomic>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "lib/crypto/cert_issuer.h"
#include "lib/crypto/keys.h"
#include "lib/status/status_macros.h"

namespace candor::agent_sim {

absl::Status ParallelFor(uint64_t n, int threads,
                         const std::function<absl::Status(uint64_t)>& fn) {
  std::atomic<uint64_t> next{0};
  std::atomic<bool> failed{false};
  absl::Mutex mu;
  absl::Status first;
  auto work = [&] {
    while (!failed) {
      const uint64_t i = next.fetch_add(1);
      if (i >= n) return;
      absl::Status s = fn(i);
      if (!s.ok()) {
        absl::MutexLock lock(&mu);
        if (first.ok()) first = s;
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  return first;
}

absl::StatusOr<std::unique_ptr<Fleet>> Fleet::Create(
    const FleetOptions& options) {
  if (options.count == 0 || options.count > 99999) {
    return absl::InvalidArgumentError("--count must be 1 to 99999");
  }
  if (options.threads < 1) {
    return absl::InvalidArgumentError("--threads must be at least 1");
  }
  if (!(options.ima_growth_per_minute >= 0)) {
    return absl::InvalidArgumentError(
        "--ima_growth_per_minute must be 0 or more");
  }
  std::unique_ptr<Fleet> f(new Fleet());
  ABSL_ASSIGN_OR_RETURN(f->ca_, SimCa::Generate());
  SharedLog::Options lo;
  lo.pool = options.ima_pool;
  ABSL_ASSIGN_OR_RETURN(f->log_, SharedLog::Create(lo));
  ABSL_ASSIGN_OR_RETURN(f->wrong_ak_, SimAk::Generate());
  ABSL_ASSIGN_OR_RETURN(crypto::OsslPtr<EVP_PKEY> transport,
                        crypto::GenerateKey(crypto::KeyAlgorithm::kRsa2048));
  ABSL_ASSIGN_OR_RETURN(std::string transport_der,
                        crypto::PublicKeyToDer(transport.get()));
  ABSL_ASSIGN_OR_RETURN(crypto::OsslPtr<EVP_PKEY> other,
                        crypto::GenerateKey(crypto::KeyAlgorithm::kEcP256));
  ABSL_ASSIGN_OR_RETURN(std::string other_der,
                        crypto::PublicKeyToDer(other.get()));
  FleetContext& c = f->context_;
  c.log = f->log_.get();
  c.transport_der = transport_der;
  c.pcr16 = TransportBinding(transport_der);
  c.wrong_pcr16 = TransportBinding(other_der);
  c.wrong_ak = &f->wrong_ak_;
  c.start = absl::Now();
  c.ima_initial = options.ima_initial;
  c.ima_growth_per_minute = options.ima_growth_per_minute;
  // Materialize the PCR-10 table for the initial log once.
  f->log_->Pcr10After(1 + options.ima_initial);

  f->agents_.resize(options.count);
  ABSL_RETURN_IF_ERROR(ParallelFor(
      options.count, options.threads, [&](uint64_t i) -> absl::Status {
        ABSL_ASSIGN_OR_RETURN(f->agents_[i],
                              VirtualAgent::Create(i + 1, options.id_prefix,
                                                   f->ca_, &f->context_),
                              _ << "creating virtual agent " << (i + 1));
        return absl::OkStatus();
      }));
  for (const auto& a : f->agents_) f->directory_[a->id()] = a.get();
  return f;
}

VirtualAgent* Fleet::Lookup(absl::string_view index_or_id) const {
  uint64_t index = 0;
  if (absl::SimpleAtoi(index_or_id, &index)) {
    if (index >= 1 && index <= agents_.size()) return agents_[index - 1].get();
    return nullptr;
  }
  auto it = directory_.find(index_or_id);
  return it == directory_.end() ? nullptr : it->second;
}

}  // namespace candor::agent_sim
