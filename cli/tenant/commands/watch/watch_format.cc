#include "cli/tenant/commands/watch/watch_format.h"

#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/tenant/proto_format.h"

namespace candor::tenant {
namespace {

std::string Transition(const v1::AttestationEvent& e) {
  if (e.kind() == v1::EVENT_KIND_AGENT_DELETED) {
    return absl::StrCat(StateName(e.previous_state()), "->DELETED");
  }
  if (e.previous_state() == v1::OPERATIONAL_STATE_UNSPECIFIED ||
      e.previous_state() == e.state()) {
    return StateName(e.state());
  }
  return absl::StrCat(StateName(e.previous_state()), "->",
                      StateName(e.state()));
}

std::string FailureText(const v1::Failure& f) {
  std::map<std::string, std::string> sorted(f.context().begin(),
                                            f.context().end());
  std::string s = f.id();
  if (!sorted.empty()) {
    absl::StrAppend(&s, " ",
                    absl::StrJoin(sorted, " ", absl::PairFormatter("=")));
  }
  return s;
}

std::string KeyShareText(const v1::KeyShareResult& r) {
  std::vector<std::string> parts;
  parts.push_back(r.key_recombined() ? "key recombined" : "key NOT recombined");
  if (r.payload_decrypted()) parts.push_back("payload decrypted");
  if (r.payload_script_started()) parts.push_back("payload script started");
  std::string s =
      absl::StrCat("V share delivered: ", absl::StrJoin(parts, ", "));
  if (!r.detail().empty()) absl::StrAppend(&s, " (", r.detail(), ")");
  return s;
}

}  // namespace

std::string EventLine(const v1::AttestationEvent& e) {
  std::vector<std::string> details;
  if (e.kind() == v1::EVENT_KIND_REVOCATION_SENT) {
    details.push_back("revocation notice sent to the other agents");
  }
  if (e.kind() == v1::EVENT_KIND_KEY_SHARE_DELIVERED) {
    details.push_back(KeyShareText(e.key_share()));
  }
  for (const v1::Failure& f : e.failures()) details.push_back(FailureText(f));
  std::string sev = SeverityLabel(e.severity());
  std::string line = absl::StrCat(FormatTime(e.time()), "  ", e.agent_id(),
                                  "  ", EventKindName(e.kind()), "  ",
                                  Transition(e), "  ", sev.empty() ? "-" : sev);
  if (!details.empty()) {
    absl::StrAppend(&line, "  ", absl::StrJoin(details, "; "));
  }
  return line;
}

std::string HeartbeatLine(const v1::Heartbeat& h) {
  return absl::StrCat(FormatTime(h.time()),
                      "  (heartbeat)  cursor=", h.cursor());
}

std::string EventJsonLine(const v1::AttestationEvent& e) {
  return ProtoJson(e).dump();
}

std::string HeartbeatJsonLine(const v1::Heartbeat& h) {
  return nlohmann::json{{"heartbeat", ProtoJson(h)}}.dump();
}

}  // namespace candor::tenant
