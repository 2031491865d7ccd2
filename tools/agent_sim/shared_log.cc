#include "tools/agent_sim/shared_log.h"

#include "absl/strings/str_cat.h"
#include "lib/crypto/digest.h"
#include "lib/ima/entry.h"
#include "lib/ima/hash_algo.h"
#include "lib/policy/runtime/policy_builder.h"
#include "lib/status/status_macros.h"
#include "tools/bootlog/boot_config.h"
#include "tools/bootlog/bootlog.h"
#include "tools/ima/ima_record.h"
#include "tools/ima/synthetic_files.h"

namespace candor::agent_sim {
namespace {

ImaLine ToLine(tools::ImaRecord record) {
  ImaLine l;
  l.line = std::move(record.line);
  l.extend = crypto::Sha256(record.template_data);
  return l;
}

Digest32 ToDigest(absl::string_view s) {
  Digest32 d{};
  std::copy(s.begin(), s.begin() + std::min<size_t>(s.size(), 32), d.begin());
  return d;
}

ima::Digest PolicyDigest(absl::string_view raw) {
  ima::Digest d;
  d.algo = ima::HashAlgo::kSha256;
  d.size = static_cast<uint8_t>(raw.size());
  std::copy(raw.begin(), raw.end(), d.bytes);
  return d;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SharedLog>> SharedLog::Create(
    const Options& options) {
  if (options.pool == 0) {
    return absl::InvalidArgumentError("--ima_pool must be at least 1");
  }
  std::unique_ptr<SharedLog> log(new SharedLog());
  tools::BootConfig boot;
  boot.seed = options.seed;
  boot.banks = {TPM2_ALG_SHA256};
  ABSL_ASSIGN_OR_RETURN(tools::BootLog generated, tools::GenerateBootLog(boot),
                        _ << "generating the simulated boot log");
  ABSL_ASSIGN_OR_RETURN(tpm::PcrValues pcrs,
                        tools::ExpectedPcrs(generated, {TPM2_ALG_SHA256}));
  log->boot_log_ = std::move(generated.bytes);
  log->boot_pcrs_ = pcrs[TPM2_ALG_SHA256];
  for (uint32_t pcr = 0; pcr <= 9; ++pcr) {
    if (!log->boot_pcrs_.count(pcr)) {
      log->boot_pcrs_[pcr] = std::string(32, '\0');
      pcrs[TPM2_ALG_SHA256][pcr] = log->boot_pcrs_[pcr];
    }
  }
  ABSL_ASSIGN_OR_RETURN(tools::ImaRecord agg,
                        tools::MakeBootAggregate(tools::ImaTemplate::kImaNg,
                                                 ima::HashAlgo::kSha256, pcrs));
  const std::string agg_line = agg.line;
  log->boot_aggregate_ = ToLine(std::move(agg));
  // The digest of boot_aggregate, for the policy: the field after "sha256:".
  {
    ima::Entry e;
    ABSL_RETURN_IF_ERROR(ima::ParseLine(agg_line, 1, &e));
    log->pool_paths_.push_back("boot_aggregate");
    log->pool_digests_.push_back(std::string(e.digest.view()));
  }

  tools::SyntheticOptions synth;
  synth.seed = options.seed;
  ABSL_ASSIGN_OR_RETURN(std::vector<tools::SyntheticFile> files,
                        tools::SyntheticFiles(0, options.pool, synth));
  log->pool_.reserve(files.size());
  for (tools::SyntheticFile& f : files) {
    ABSL_ASSIGN_OR_RETURN(
        tools::ImaRecord r,
        tools::MakeMeasurement(tools::ImaTemplate::kImaNg, f.path,
                               ima::HashAlgo::kSha256, f.digest));
    log->pool_.push_back(ToLine(std::move(r)));
    log->pool_paths_.push_back(std::move(f.path));
    log->pool_digests_.push_back(std::move(f.digest));
  }
  absl::MutexLock lock(&log->mu_);
  log->pcr10_.push_back(Digest32{});
  return log;
}

Digest32 SharedLog::Pcr10After(uint64_t count) {
  {
    absl::ReaderMutexLock lock(&mu_);
    if (count < pcr10_.size()) return pcr10_[count];
  }
  absl::MutexLock lock(&mu_);
  while (pcr10_.size() <= count) {
    const Digest32& last = pcr10_.back();
    const std::string& extend = Entry(pcr10_.size() - 1).extend;
    std::string data(last.data(), last.size());
    data.append(extend);
    pcr10_.push_back(ToDigest(crypto::Sha256(data)));
  }
  return pcr10_[count];
}

std::string SharedLog::PolicyJson(absl::Time now) const {
  policy::PolicyBuilder builder;
  for (size_t i = 0; i < pool_paths_.size(); ++i) {
    builder.AddDigest(pool_paths_[i], PolicyDigest(pool_digests_[i]));
  }
  return builder.ToJson(now);
}

absl::StatusOr<ImaLine> SharedLog::MakeExtra(uint64_t n) {
  const std::string path = absl::StrCat("/tmp/evil-", n);
  ABSL_ASSIGN_OR_RETURN(
      tools::ImaRecord r,
      tools::MakeMeasurement(
          tools::ImaTemplate::kImaNg, path, ima::HashAlgo::kSha256,
          crypto::Sha256(absl::StrCat("agent-sim evil ", n))));
  return ToLine(std::move(r));
}

}  // namespace candor::agent_sim
