#include "lib/policy/runtime/policy_builder.h"

#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/failure/catalogue.h"
#include "lib/ima/hex.h"
#include "lib/ima/keyring.h"
#include "lib/ima/replay.h"
#include "lib/policy/runtime/appraise.h"
#include "lib/status/status_macros.h"
#include "nlohmann/json.hpp"

namespace candor::policy {
namespace {

constexpr size_t kMaxWarnings = 20;

void Warn(CreateStats* stats, std::string w) {
  if (stats->warnings.size() < kMaxWarnings) {
    stats->warnings.push_back(std::move(w));
  }
}

nlohmann::ordered_json MapJson(
    const std::map<std::string, std::vector<ima::Digest>>& m) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [name, digests] : m) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const ima::Digest& d : digests) list.push_back(PolicyDigestText(d));
    j[name] = std::move(list);
  }
  return j;
}

}  // namespace

bool IsValidUtf8(absl::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

std::string PolicyDigestText(const ima::Digest& d) {
  const std::string hex = ima::HexEncode(d.view());
  if (ima::HashAlgoForBareDigestSize(d.size) == d.algo &&
      d.algo != ima::HashAlgo::kMd5) {
    return hex;
  }
  return absl::StrCat(ima::HashAlgoName(d.algo), ":", hex);
}

bool PolicyBuilder::Add(Map* map, absl::string_view name,
                        const ima::Digest& d) {
  if (!IsValidUtf8(name)) return false;
  std::vector<ima::Digest>& list = (*map)[std::string(name)];
  for (const ima::Digest& x : list) {
    if (x.algo == d.algo && x.view() == d.view()) return true;
  }
  list.push_back(d);
  return true;
}

bool PolicyBuilder::AddDigest(absl::string_view path, const ima::Digest& d) {
  return Add(&digests_, path, d);
}
bool PolicyBuilder::AddKeyring(absl::string_view keyring,
                               const ima::Digest& d) {
  return Add(&keyrings_, keyring, d);
}
bool PolicyBuilder::AddImaBuf(absl::string_view name, const ima::Digest& d) {
  return Add(&ima_buf_, name, d);
}

std::string PolicyBuilder::ToJson(absl::Time now) const {
  nlohmann::ordered_json j;
  j["meta"] = {{"version", 1},
               {"generator", 0},  // Keylime: 0 = Unknown (an integer 0..3 is required)
               {"timestamp", absl::FormatTime("%Y-%m-%d %H:%M:%S", now,
                                              absl::UTCTimeZone())}};
  j["release"] = 0;
  j["digests"] = MapJson(digests_);
  j["excludes"] = excludes_;
  j["keyrings"] = MapJson(keyrings_);
  j["ima"] = {{"ignored_keyrings", nlohmann::ordered_json::array()},
              {"log_hash_alg", "sha1"},
              {"dm_policy", nullptr}};
  j["ima-buf"] = MapJson(ima_buf_);
  j["verification-keys"] = "";
  return j.dump(1) + "\n";
}

absl::Status AddImaLog(absl::string_view log, const ExcludeList& excludes,
                       PolicyBuilder* builder, CreateStats* stats) {
  std::vector<absl::string_view> lines = SplitLogLines(log);
  ABSL_ASSIGN_OR_RETURN(
      ima::ReplayState start,
      ima::ReplayState::AtBoot(TPM2_ALG_SHA256, ima::ExtendMode::kPerBank));
  std::vector<candor::v1::Failure> findings;
  std::string buf;
  auto visit = [&](const ima::Entry& e, uint64_t index, absl::string_view) {
    ++stats->entries;
    if (excludes.Matches(e.path)) {
      ++stats->excluded;
      return;
    }
    bool ok;
    if (e.violation) {
      ima::Digest d = e.digest;
      if (d.size != ima::HashAlgoSize(d.algo)) d.algo = ima::HashAlgo::kSha1;
      ok = builder->AddDigest(e.path, d);
    } else if (e.tmpl == ima::Template::kImaBuf) {
      buf.resize(e.buf_hex.size() / 2);
      if (!buf.empty()) {
        ima::HexDecodeTo(e.buf_hex, reinterpret_cast<uint8_t*>(&buf[0]));
      }
      ok = ima::ParseKeyDer(buf).ok() ? builder->AddKeyring(e.path, e.digest)
                                      : builder->AddImaBuf(e.path, e.digest);
    } else {
      ok = builder->AddDigest(e.path, e.digest);
    }
    if (!ok) {
      ++stats->skipped_non_utf8;
      Warn(stats, absl::StrCat("line ", index + 1,
                               ": skipped, the name is not UTF-8"));
    }
  };
  ABSL_ASSIGN_OR_RETURN(ima::ReplayResult r,
                        ima::Replay(start, lines, {}, visit, &findings));
  (void)r;
  for (const candor::v1::Failure& f : findings) {
    if (f.id() != failure::kImaViolation) {
      return absl::InvalidArgumentError(f.message());
    }
  }
  return absl::OkStatus();
}

}  // namespace candor::policy
