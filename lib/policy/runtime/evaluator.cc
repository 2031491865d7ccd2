#include "lib/policy/runtime/evaluator.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/failure/catalogue.h"
#include "lib/ima/boot_aggregate.h"
#include "lib/ima/hex.h"

namespace candor::policy {
namespace {

using candor::v1::Failure;
using ima::Entry;

absl::string_view LookupFailure(DigestTable::Lookup r) {
  return r == DigestTable::Lookup::kNameNotFound ? failure::kImaNotInPolicy
                                                 : failure::kImaDigestMismatch;
}

std::string Describe(DigestTable::Lookup r, absl::string_view what,
                     const Entry& e) {
  if (r == DigestTable::Lookup::kNameNotFound) {
    return absl::StrCat(what, " '", e.path, "' is not in the runtime policy");
  }
  return absl::StrCat(what, " '", e.path, "' has digest ", DigestText(e.digest),
                      ", which the runtime policy does not list for it");
}

}  // namespace

std::string DigestText(const ima::Digest& d) {
  return absl::StrCat(ima::HashAlgoName(d.algo), ":", ima::HexEncode(d.view()));
}

Evaluator::Evaluator(const RuntimePolicy& policy, EvalState* state,
                     EvalOptions options)
    : policy_(policy), state_(state), options_(options) {}

void Evaluator::Report(
    absl::string_view id, const Entry& e, uint64_t index, std::string message,
    std::vector<Failure>* findings,
    std::initializer_list<std::pair<std::string, std::string>> extra) {
  Failure f =
      failure::MakeFailure(id, absl::StrCat("line ", index + 1, ": ", message),
                           {{"line", absl::StrCat(index + 1)},
                            {"path", std::string(e.path)},
                            {"digest", DigestText(e.digest)}});
  for (const auto& kv : extra) {
    (*f.mutable_context())[kv.first] = kv.second;  // ASCII reasons
  }
  findings->push_back(std::move(f));
}

ima::Hasher* Evaluator::HasherFor(ima::HashAlgo algo) {
  const size_t i = static_cast<size_t>(algo);
  if (hashers_.size() <= i) hashers_.resize(i + 1);
  if (!hashers_[i].has_value()) {
    absl::StatusOr<ima::Hasher> h = ima::Hasher::Create(algo);
    if (!h.ok()) return nullptr;
    hashers_[i].emplace(*std::move(h));
  }
  return &*hashers_[i];
}

bool Evaluator::Evaluate(const Entry& e, uint64_t index,
                         std::vector<Failure>* findings) {
  if (index == 0 && options_.boot_aggregate_checked &&
      e.path == ima::kBootAggregateName) {
    return true;
  }
  if (e.violation) {
    if (policy_.digests().Contains(e.path) ||
        policy_.excludes().Matches(e.path)) {
      return true;
    }
    Report(failure::kImaNotInPolicy, e, index,
           absl::StrCat("violation entry for '", e.path,
                        "', a path the runtime policy neither lists nor "
                        "excludes"),
           findings);
    return false;
  }
  if (e.tmpl == ima::Template::kImaBuf)
    return EvaluateBuffer(e, index, findings);

  const DigestTable::Lookup r = policy_.digests().Find(e.path, e.digest);
  if (r == DigestTable::Lookup::kMatch) return true;
  if (policy_.excludes().Matches(e.path)) return true;
  const bool signed_entry = (e.tmpl == ima::Template::kImaSig ||
                             e.tmpl == ima::Template::kImaModsig) &&
                            !e.sig_hex.empty();
  if (signed_entry) {
    scratch_.resize(e.sig_hex.size() / 2);
    ima::HexDecodeTo(e.sig_hex, reinterpret_cast<uint8_t*>(&scratch_[0]));
    const ima::Keyring* rings[] = {&policy_.verification_keys(),
                                   &state_->learned_keys};
    absl::Status s = ima::VerifyFileSignature(scratch_, e.digest, rings);
    if (s.ok()) return true;
    Report(failure::kImaBadSignature, e, index,
           absl::StrCat("the signature of '", e.path, "' does not verify (",
                        s.message(), ") and ", Describe(r, "the file", e)),
           findings,
           {{"reason", std::string(s.message())},
            {"fallback", std::string(LookupFailure(r))}});
    return false;
  }
  Report(LookupFailure(r), e, index, Describe(r, "file", e), findings);
  return false;
}

bool Evaluator::EvaluateBuffer(const Entry& e, uint64_t index,
                               std::vector<Failure>* findings) {
  scratch_.resize(e.buf_hex.size() / 2);
  if (!scratch_.empty()) {
    ima::HexDecodeTo(e.buf_hex, reinterpret_cast<uint8_t*>(&scratch_[0]));
  }
  ima::Hasher* h = HasherFor(e.digest.algo);
  uint8_t d[ima::kMaxDigestSize];
  if (h == nullptr || !h->Hash(scratch_, d) ||
      absl::string_view(reinterpret_cast<const char*>(d), h->size()) !=
          e.digest.view()) {
    Report(failure::kImaDigestMismatch, e, index,
           absl::StrCat("ima-buf '", e.path,
                        "': the digest is not the hash of the buffer"),
           findings);
    return false;
  }
  absl::StatusOr<ima::KeyringKey> key = ima::ParseKeyDer(scratch_);
  if (key.ok()) {
    if (policy_.KeyringIgnored(e.path) || policy_.excludes().Matches(e.path)) {
      return true;  // passes, but the key is not trusted for signatures
    }
    const DigestTable::Lookup r = policy_.keyrings().Find(e.path, e.digest);
    if (r != DigestTable::Lookup::kMatch) {
      Report(failure::kImaKeyringNotAllowed, e, index,
             r == DigestTable::Lookup::kNameNotFound
                 ? absl::StrCat("key measured into keyring '", e.path,
                                "', which the runtime policy's keyrings do "
                                "not list")
                 : absl::StrCat("key ", DigestText(e.digest),
                                " measured into keyring '", e.path,
                                "' is not one the runtime policy allows"),
             findings);
      return false;
    }
    key->source = std::string(e.path);
    state_->learned_keys.Add(*std::move(key));
    return true;
  }
  const DigestTable::Lookup r = policy_.ima_buf().Find(e.path, e.digest);
  if (r == DigestTable::Lookup::kMatch) return true;
  if (policy_.excludes().Matches(e.path)) return true;
  Report(LookupFailure(r), e, index, Describe(r, "ima-buf", e), findings);
  return false;
}

}  // namespace candor::policy
