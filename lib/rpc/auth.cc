#include "lib/rpc/auth.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/crypto/cert_issuer.h"
#include "lib/crypto/x509.h"

namespace candor::rpc {
namespace {

constexpr Role kAllRoles[] = {Role::kAdmin, Role::kVerifier, Role::kRevocation};

class MtlsAuthorizer final : public Authorizer {
 public:
  absl::Status Check(const grpc::ServerContext& context,
                     std::initializer_list<Role> allowed,
                     absl::string_view rpc) const override {
    std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
    if (auth == nullptr) {
      return absl::UnauthenticatedError(
          absl::StrCat(rpc, " needs a client certificate"));
    }
    absl::StatusOr<std::vector<Role>> roles = PeerRoles(*auth);
    if (!roles.ok()) {
      return absl::Status(roles.status().code(),
                          absl::StrCat(rpc, ": ", roles.status().message()));
    }
    for (Role have : *roles) {
      for (Role want : allowed) {
        if (have == want) return absl::OkStatus();
      }
    }
    std::vector<std::string> want_names, have_names;
    for (Role r : allowed) want_names.emplace_back(RoleName(r));
    for (Role r : *roles) have_names.emplace_back(RoleName(r));
    return absl::PermissionDeniedError(absl::StrCat(
        rpc, " needs a certificate with role ",
        absl::StrJoin(want_names, " or "), "; the caller's certificate has ",
        have_names.empty() ? "no role"
                           : absl::StrCat("role ", absl::StrJoin(have_names, ", "))));
  }
};

class InsecureAuthorizer final : public Authorizer {
 public:
  absl::Status Check(const grpc::ServerContext&, std::initializer_list<Role>,
                     absl::string_view) const override {
    return absl::OkStatus();
  }
};

}  // namespace

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kVerifier:
      return "verifier";
    case Role::kRevocation:
      return "revocation";
  }
  return "unknown";
}

absl::StatusOr<std::vector<Role>> PeerRoles(const grpc::AuthContext& auth) {
  std::vector<grpc::string_ref> pems =
      auth.FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
  if (!auth.IsPeerAuthenticated() || pems.empty()) {
    return absl::UnauthenticatedError(
        "the caller presented no client certificate issued by the Candor CA");
  }
  absl::StatusOr<crypto::OsslPtr<X509>> cert = crypto::ParseCertificate(
      absl::string_view(pems.front().data(), pems.front().size()));
  if (!cert.ok()) {
    return absl::UnauthenticatedError(absl::StrCat(
        "cannot read the caller's certificate: ", cert.status().message()));
  }
  std::vector<Role> roles;
  for (const std::string& ou : crypto::OrganizationalUnits(cert->get())) {
    for (Role r : kAllRoles) {
      if (ou == RoleName(r)) roles.push_back(r);
    }
  }
  return roles;
}

std::unique_ptr<Authorizer> MakeMtlsAuthorizer() {
  return std::make_unique<MtlsAuthorizer>();
}

std::unique_ptr<Authorizer> MakeInsecureAuthorizer() {
  return std::make_unique<InsecureAuthorizer>();
}

}  // namespace candor::rpc
