#include "lib/policy/boot/boot_policy.h"

#include <simdjson.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/failure/catalogue.h"
#include "lib/policy/boot/evaluate.h"

namespace candor::policy {

BootPolicy BootPolicy::AcceptAll() {
  return BootPolicy(Kind::kAcceptAll, nullptr);
}

BootPolicy BootPolicy::RejectAll() {
  return BootPolicy(Kind::kRejectAll, nullptr);
}

BootPolicy BootPolicy::FromReferenceState(ReferenceState state) {
  return BootPolicy(Kind::kReferenceState,
                    std::make_shared<const ReferenceState>(std::move(state)));
}

absl::StatusOr<BootPolicy> BootPolicy::Parse(absl::string_view json) {
  if (json.size() > kMaxReferenceStateBytes) {
    return absl::InvalidArgumentError(absl::StrCat("boot policy: ", json.size(),
                                                   " bytes, more than ",
                                                   kMaxReferenceStateBytes));
  }
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json.data(), json.size());
  simdjson::dom::object obj;
  if (parser.parse(padded).get_object().get(obj) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        "boot policy: not a JSON object (expected {\"policy\": "
        "\"accept-all\"}, {\"policy\": \"reject-all\"} or a reference state)");
  }
  std::string_view name;
  simdjson::dom::element v;
  if (obj["policy"].get(v) == simdjson::SUCCESS) {
    if (v.get_string().get(name) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError("boot policy: policy: not a string");
    }
    if (name == "accept-all" || name == "reject-all") {
      if (obj.size() != 1) {
        return absl::InvalidArgumentError(absl::StrCat(
            "boot policy: ", absl::string_view(name.data(), name.size()),
            " takes no other keys"));
      }
      return name == "accept-all" ? AcceptAll() : RejectAll();
    }
    if (name != "example" && name != "reference-state") {
      return absl::InvalidArgumentError(
          absl::StrCat("boot policy: policy: unknown policy '",
                       absl::string_view(name.data(), name.size()),
                       "' (use accept-all, reject-all, or a reference state)"));
    }
  }
  absl::StatusOr<ReferenceState> state = ParseReferenceState(json);
  if (!state.ok()) return state.status();
  return FromReferenceState(*std::move(state));
}

absl::string_view BootPolicy::KindName() const {
  switch (kind_) {
    case Kind::kAcceptAll:
      return "accept-all";
    case Kind::kRejectAll:
      return "reject-all";
    case Kind::kReferenceState:
      break;
  }
  return "reference-state";
}

std::vector<candor::v1::Failure> BootPolicy::Evaluate(
    const eventlog::EventLog& log) const {
  switch (kind_) {
    case Kind::kAcceptAll:
      return {};
    case Kind::kRejectAll:
      return {failure::MakeFailure(
          failure::kBootPolicyRejectAll,
          "the boot policy is reject-all: no boot passes until a reference "
          "state is set")};
    case Kind::kReferenceState:
      break;
  }
  return EvaluateReferenceState(*state_, log);
}

std::vector<uint32_t> BootPolicy::RelevantPcrs() const {
  if (kind_ != Kind::kReferenceState) return {};
  return {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 14};
}

std::string BootPolicy::ToJson() const {
  if (kind_ == Kind::kReferenceState) return ReferenceStateToJson(*state_);
  return absl::StrCat("{\"policy\": \"", KindName(), "\"}\n");
}

}  // namespace candor::policy
