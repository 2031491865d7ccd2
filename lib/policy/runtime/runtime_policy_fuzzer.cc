// Fuzzes runtime-policy loading (JSON and the legacy allowlist come from
// operators, and from anyone who can write a policy file a tenant loads),
// then evaluates a fixed log touching every evaluation path with the policy.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "lib/ima/replay.h"
#include "lib/policy/runtime/appraise.h"
#include "lib/policy/runtime/runtime_policy.h"

namespace {

// Template hashes need not be right: the offline replay reports them and
// the entries are still evaluated.
const char kLog[] =
    "10 0000000000000000000000000000000000000000 ima-ng "
    "sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb "
    "boot_aggregate\n"
    "10 1e92ea19c5b6eed6e0162369a51689ce5938b599 ima-ng "
    "sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb "
    "/usr/bin/with_space\n"
    "10 69dadb0feee2395bf25e63c36e9df6e5cd128b57 ima-sig "
    "sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb "
    "/usr/bin/signed 030204aabbccdd0004deadbeef\n"
    "10 1111111111111111111111111111111111111111 ima-buf "
    "sha256:0b8c9b2c6c3f1ac4ae8a8ec0d38c1e2bce2f5cc3aa50f7c1e40cd68e2a0d83a2 "
    "kexec-cmdline 726f6f743d2f6465762f7364613120726f\n"
    "10 2222222222222222222222222222222222222222 ima "
    "11f6ad8ec52a2984abaafd7c3b516503785c2072 /sbin/init\n"
    "10 3333333333333333333333333333333333333333 ima-ng "
    "sha1:11f6ad8ec52a2984abaafd7c3b516503785c2072 /tmp/x\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace candor;  // NOLINT
  absl::string_view in(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<policy::RuntimePolicy> p = policy::RuntimePolicy::Load(in);
  if (!p.ok()) return 0;
  (void)p->digests().Names();
  policy::AppraiseOptions o;
  o.policy = &*p;
  policy::EvalState state;
  std::vector<absl::string_view> lines = policy::SplitLogLines(kLog);
  absl::StatusOr<ima::ReplayState> s =
      ima::ReplayState::AtBoot(TPM2_ALG_SHA256);
  if (!s.ok()) return 0;
  (void)policy::AppraiseImaLog(*s, lines, o, &state);
  return 0;
}
