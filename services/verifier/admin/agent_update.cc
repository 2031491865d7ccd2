// AgentAdmin::Update (agent_admin.h): UpdateAgent's FieldMask rules.
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/crypto/secret.h"
#include "lib/status/status_macros.h"
#include "services/verifier/admin/admin_events.h"
#include "services/verifier/admin/agent_admin.h"
#include "services/verifier/admin/agent_validation.h"
#include "services/verifier/admin/attest_reset.h"

namespace candor::verifier {
namespace {

// The masked paths, validated: at least one, each updatable.
absl::StatusOr<std::set<std::string>> MaskedPaths(
    const google::protobuf::FieldMask& mask) {
  if (mask.paths_size() == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("update_mask: empty; name the fields to change (",
                     absl::StrJoin(kUpdatablePaths, ", "), ")"));
  }
  std::set<std::string> paths;
  for (int i = 0; i < mask.paths_size(); ++i) {
    const std::string& p = mask.paths(i);
    if (!IsUpdatablePath(p)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "update_mask.paths[", i, "]: \"", absl::CHexEscape(p.substr(0, 64)),
          "\" is not an updatable field (updatable: ",
          absl::StrJoin(kUpdatablePaths, ", "), ")"));
    }
    paths.insert(p);
  }
  return paths;
}

// Copies the configuration field `path` of `from` into `to`.
void CopyField(const v1::Agent& from, const std::string& path, v1::Agent& to) {
  if (path == "address") {
    to.set_address(from.address());
  } else if (path == "quote_interval") {
    if (from.has_quote_interval()) {
      *to.mutable_quote_interval() = from.quote_interval();
    } else {
      to.clear_quote_interval();
    }
  } else if (path == "runtime_policy") {
    *to.mutable_runtime_policy() = from.runtime_policy();
  } else if (path == "boot_policy") {
    *to.mutable_boot_policy() = from.boot_policy();
  } else if (path == "static_pcr_policy") {
    *to.mutable_static_pcr_policy() = from.static_pcr_policy();
  } else if (path == "pcr_selections") {
    *to.mutable_pcr_selections() = from.pcr_selections();
  } else if (path == "metadata") {
    *to.mutable_metadata() = from.metadata();
  }
}

}  // namespace

absl::StatusOr<v1::Agent> AgentAdmin::Update(
    const v1::UpdateAgentRequest& request) {
  const v1::Agent& in = request.agent();
  const std::string& id = in.agent_id();
  ABSL_RETURN_IF_ERROR(CheckAgentId("agent.agent_id", id));
  ABSL_ASSIGN_OR_RETURN(std::set<std::string> paths,
                        MaskedPaths(request.update_mask()));
  ABSL_RETURN_IF_ERROR(CheckVShare("v_share", request.v_share()));
  for (const std::string& path : paths) {
    ABSL_RETURN_IF_ERROR(CheckConfigField(in, path, options_.min_quote_interval,
                                          /*address_may_be_empty=*/false));
  }
  ABSL_RETURN_IF_ERROR(CheckPolicyRefs(in, paths.count("runtime_policy") > 0,
                                       paths.count("boot_policy") > 0));
  std::string sealed;
  if (!request.v_share().empty()) {
    ABSL_ASSIGN_OR_RETURN(
        sealed, sealer_->Seal(crypto::SecretBytes(request.v_share())));
  }
  const absl::Time now = Now();
  ABSL_ASSIGN_OR_RETURN(
      AgentRecord updated,
      agents_->Mutate(
          id, [&](AgentRecord& r) -> absl::StatusOr<std::vector<NewEvent>> {
            const v1::HashAlgorithm old_bank =
                ImaBank(r.agent.pcr_selections());
            for (const std::string& path : paths) CopyField(in, path, r.agent);
            const v1::HashAlgorithm new_bank =
                ImaBank(r.agent.pcr_selections());
            if (new_bank != old_bank) {
              ABSL_ASSIGN_OR_RETURN(r.attest_state,
                                    ResetImaReplay(r.attest_state, new_bank));
              r.agent.set_next_ima_entry(0);
            }
            if (!sealed.empty()) {
              r.sealed_v_share = sealed;
              r.agent.clear_v_share_delivered_at();
            }
            return std::vector<NewEvent>{MakeAdminEvent(
                r.agent, v1::EVENT_KIND_AGENT_UPDATED, r.agent.state(),
                r.agent.state(), now, options_.replica_id)};
          }));
  return std::move(updated.agent);
}

}  // namespace candor::verifier
