#include "services/agent/secure_payload.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/common/file_util.h"
#include "lib/log/log.h"
#include "lib/payload/archive_extract.h"
#include "lib/payload/payload_crypto.h"
#include "lib/payload/unsplit.h"
#include "lib/status/status_macros.h"
#include "services/agent/process_runner.h"

namespace candor::agent {
namespace {

using crypto::SecretBytes;

constexpr char kPersistFile[] = "key_shares_u";
constexpr size_t kMinEncryptedPayload =
    payload::kGcmIvSize + payload::kGcmTagSize;

// Validates the request's fields (agent.proto DeliverKeyShare errors).
absl::Status CheckRequest(const v1::DeliverKeyShareRequest& r) {
  switch (r.kind()) {
    case v1::KEY_SHARE_KIND_U:
      if (r.auth_tag().size() != payload::kAuthTagSize) {
        return absl::InvalidArgumentError(
            absl::StrCat("auth_tag is ", r.auth_tag().size(), " bytes, want ",
                         payload::kAuthTagSize, " for a U share"));
      }
      if (!r.encrypted_payload().empty() &&
          r.encrypted_payload().size() < kMinEncryptedPayload) {
        return absl::InvalidArgumentError(absl::StrCat(
            "encrypted_payload is ", r.encrypted_payload().size(),
            " bytes, shorter than iv + GCM tag (", kMinEncryptedPayload, ")"));
      }
      if (r.encrypted_payload().size() >
          payload::kMaxPayloadSize + kMinEncryptedPayload) {
        return absl::InvalidArgumentError(
            absl::StrCat("encrypted_payload is ", r.encrypted_payload().size(),
                         " bytes, over the 100 MiB limit"));
      }
      return absl::OkStatus();
    case v1::KEY_SHARE_KIND_V:
      if (!r.auth_tag().empty() || !r.encrypted_payload().empty()) {
        return absl::InvalidArgumentError(
            "auth_tag and encrypted_payload must be empty for a V share");
      }
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError(
          "kind: must be KEY_SHARE_KIND_U or KEY_SHARE_KIND_V");
  }
}

// Makes `dir` a private (0700, ours, not a symlink) directory.
absl::Status EnsurePrivateDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("secure directory ", dir, ": ", ec.message()));
  }
  struct stat st;
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("secure directory ", dir, " is not a directory"));
  }
  if (st.st_uid != ::geteuid()) {
    return absl::FailedPreconditionError(
        absl::StrCat("secure directory ", dir, " is owned by uid ", st.st_uid,
                     ", not by the agent (uid ", ::geteuid(), ")"));
  }
  if (::chmod(dir.c_str(), 0700) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "secure directory ", dir, ": chmod 0700: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

uint32_t LoadBe32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) |
         (uint32_t{u[2]} << 8) | uint32_t{u[3]};
}

void AppendBe32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

void RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) spdlog::warn("removing {}: {}", path, ec.message());
}

}  // namespace

std::string DefaultSecureDir(const std::string& agent_id,
                             const std::string& state_dir) {
  struct stat st;
  if (::stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
      ::access("/dev/shm", W_OK) == 0) {
    return absl::StrCat("/dev/shm/candor-", agent_id);
  }
  return absl::StrCat(state_dir, "/secure");
}

absl::StatusOr<std::unique_ptr<SecurePayload>> SecurePayload::Create(
    SecurePayloadConfig config) {
  if (config.transport_key == nullptr) {
    return absl::InvalidArgumentError("SecurePayload: no transport key");
  }
  if (config.max_shares == 0) config.max_shares = 1;
  ABSL_RETURN_IF_ERROR(EnsurePrivateDir(config.secure_dir));
  // Leftovers of an extraction interrupted by a crash.
  std::error_code ec;
  for (std::filesystem::directory_iterator it(config.secure_dir, ec), end;
       !ec && it != end; it.increment(ec)) {
    if (it->path().filename().string().rfind(".staging-", 0) == 0) {
      RemoveTree(it->path().string());
    }
  }
  std::unique_ptr<SecurePayload> p(new SecurePayload(std::move(config)));
  absl::MutexLock lock(&p->mu_);
  ABSL_RETURN_IF_ERROR(p->LoadPersisted());
  p->last_.set_detail(p->us_.empty() ? "no shares received"
                                     : "waiting for the V share");
  return p;
}

std::string SecurePayload::payload_dir() const {
  return config_.secure_dir + "/payload";
}

std::string SecurePayload::persist_path() const {
  return absl::StrCat(config_.state_dir, "/", kPersistFile);
}

absl::Status SecurePayload::LoadPersisted() {
  absl::StatusOr<std::string> data = ReadFile(persist_path());
  if (!data.ok()) {
    if (data.status().code() == absl::StatusCode::kNotFound) {
      return absl::OkStatus();
    }
    return data.status();
  }
  absl::string_view rest = *data;
  while (!rest.empty()) {
    if (rest.size() < 4) {
      spdlog::warn("{}: truncated record; ignored", persist_path());
      break;
    }
    const uint32_t len = LoadBe32(rest.data());
    rest.remove_prefix(4);
    if (len > rest.size()) {
      spdlog::warn("{}: truncated record; ignored", persist_path());
      break;
    }
    v1::DeliverKeyShareRequest req;
    const bool parsed = req.ParseFromArray(rest.data(), static_cast<int>(len));
    rest.remove_prefix(len);
    if (!parsed || !CheckRequest(req).ok() ||
        req.kind() != v1::KEY_SHARE_KIND_U) {
      spdlog::warn("{}: an unusable U record; dropped", persist_path());
      continue;
    }
    absl::StatusOr<SecretBytes> u =
        payload::UnwrapShare(config_.transport_key, req.encrypted_share());
    if (!u.ok()) {
      spdlog::warn("{}: a U share that no longer decrypts ({}); dropped",
                   persist_path(), u.status());
      continue;
    }
    us_.push_back(UShare{std::move(*u), std::move(req)});
  }
  while (us_.size() > config_.max_shares) us_.pop_front();
  if (!us_.empty()) {
    spdlog::info("secure payload: {} U share(s) restored from {}", us_.size(),
                 persist_path());
  }
  return absl::OkStatus();
}

absl::Status SecurePayload::PersistLocked() {
  std::string data;
  for (const UShare& u : us_) {
    const std::string wire = u.request.SerializeAsString();
    AppendBe32(data, static_cast<uint32_t>(wire.size()));
    data.append(wire);
  }
  return WriteFileAtomically(persist_path(), data, 0600);
}

absl::StatusOr<v1::KeyShareResult> SecurePayload::Deliver(
    const v1::DeliverKeyShareRequest& request) {
  ABSL_RETURN_IF_ERROR(CheckRequest(request));
  ABSL_ASSIGN_OR_RETURN(
      SecretBytes share,
      payload::UnwrapShare(config_.transport_key, request.encrypted_share()),
      _ << "encrypted_share");
  const bool is_u = request.kind() == v1::KEY_SHARE_KIND_U;
  absl::MutexLock lock(&mu_);
  if (is_u) {
    for (const UShare& u : us_) {
      if (crypto::ConstantTimeEquals(u.u.view(), share.view()) &&
          u.request.auth_tag() == request.auth_tag() &&
          u.request.encrypted_payload() == request.encrypted_payload()) {
        return last_;  // already held: changes nothing
      }
    }
    us_.push_back(UShare{std::move(share), request});
    while (us_.size() > config_.max_shares) us_.pop_front();
    if (absl::Status s = PersistLocked(); !s.ok()) {
      spdlog::error(
          "secure payload: keeping the U share on disk failed "
          "(a restart before V arrives loses it): {}",
          s);
    }
  } else {
    for (const SecretBytes& v : vs_) {
      if (crypto::ConstantTimeEquals(v.view(), share.view())) return last_;
    }
    vs_.push_back(std::move(share));
    while (vs_.size() > config_.max_shares) vs_.pop_front();
  }
  last_ = CombineLocked(is_u);
  return last_;
}

v1::KeyShareResult SecurePayload::CombineLocked(bool new_is_u) {
  v1::KeyShareResult result;
  if (vs_.empty()) {
    result.set_detail("waiting for the V share");
    return result;
  }
  if (us_.empty()) {
    result.set_detail("waiting for the U share");
    return result;
  }
  // Only pairs with the share just delivered: an older pair was tried when
  // its newer half arrived.
  auto try_pair = [&](const UShare& u, const SecretBytes& v) -> bool {
    absl::StatusOr<SecretBytes> k =
        payload::RecombineKey(u.u, v, config_.agent_id, u.request.auth_tag());
    if (!k.ok()) return false;
    spdlog::info("secure payload: K recombined (U xor V matches the auth tag)");
    result.set_key_recombined(true);
    InstallPayload(*k, u, result);
    return true;
  };
  if (new_is_u) {
    for (auto v = vs_.rbegin(); v != vs_.rend(); ++v) {
      if (try_pair(us_.back(), *v)) return result;
    }
    result.set_detail(
        "waiting for the V share (no V share held matches this U's auth tag)");
  } else {
    for (auto u = us_.rbegin(); u != us_.rend(); ++u) {
      if (try_pair(*u, vs_.back())) return result;
    }
    result.set_detail(
        "no U×V pair matches an auth tag (waiting for the matching U share)");
  }
  return result;
}

void SecurePayload::InstallPayload(const SecretBytes& k, const UShare& u,
                                   v1::KeyShareResult& result) {
  const std::string& encrypted = u.request.encrypted_payload();
  if (encrypted.empty()) return;  // K only, nothing to decrypt
  absl::StatusOr<SecretBytes> plain = payload::DecryptPayload(k, encrypted);
  if (!plain.ok()) {
    spdlog::error("secure payload: {}", plain.status());
    result.set_detail("payload GCM tag does not verify");
    return;
  }
  std::string staging = config_.secure_dir + "/.staging-XXXXXX";
  if (::mkdtemp(staging.data()) == nullptr) {
    result.set_detail(
        absl::StrCat("cannot create a directory in the secure "
                     "directory: ",
                     std::strerror(errno)));
    spdlog::error("secure payload: {}", result.detail());
    return;
  }
  absl::StatusOr<payload::ExtractResult> extracted =
      payload::ExtractPayload(plain->view(), staging);
  plain->clear();
  if (!extracted.ok()) {
    RemoveTree(staging);
    result.set_detail(
        absl::StrCat("payload not extracted: ", extracted.status().message()));
    spdlog::error("secure payload: {}", result.detail());
    return;
  }
  const std::string target = payload_dir();
  struct stat st;
  int rc;
  if (::lstat(target.c_str(), &st) == 0) {
    // Swap the new tree in, then drop the old one.
    rc = ::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, target.c_str(),
                     RENAME_EXCHANGE);
  } else {
    rc = ::rename(staging.c_str(), target.c_str());
  }
  if (rc != 0) {
    const int err = errno;
    RemoveTree(staging);
    result.set_detail(absl::StrCat("payload not installed: rename into ",
                                   target, ": ", std::strerror(err)));
    spdlog::error("secure payload: {}", result.detail());
    return;
  }
  RemoveTree(staging);  // the previous payload, if any
  result.set_payload_decrypted(true);
  spdlog::info("secure payload decrypted into {} ({}, {} entries, {} bytes)",
               target, extracted->was_archive ? "archive" : "single file",
               extracted->entries, extracted->total_bytes);

  const std::string script = target + "/autorun.sh";
  if (::stat(script.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  ProcessSpec spec;
  spec.cwd = target;
  spec.argv = ::access(script.c_str(), X_OK) == 0
                  ? std::vector<std::string>{script}
                  : std::vector<std::string>{"/bin/sh", script};
  spec.extra_env = {absl::StrCat("CANDOR_AGENT_ID=", config_.agent_id)};
  absl::StatusOr<pid_t> pid =
      StartDetached(spec, target + "/autorun.log", "secure payload autorun.sh");
  if (!pid.ok()) {
    result.set_detail(
        absl::StrCat("autorun.sh not started: ", pid.status().message()));
    spdlog::error("secure payload: {}", result.detail());
    return;
  }
  result.set_payload_script_started(true);
  spdlog::info("secure payload: started {} (pid {})", script, *pid);
}

}  // namespace candor::agent
