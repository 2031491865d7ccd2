// Which roles each registrar RPC asks lib/rpc's authorizer for.
#include "services/registrar/authorizer.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::registrar {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Records the roles asked for; allows only admins.
class RecordingAuthorizer final : public rpc::Authorizer {
 public:
  absl::Status Check(const grpc::ServerContext&,
                     std::initializer_list<rpc::Role> allowed,
                     absl::string_view rpc) const override {
    asked = std::vector<rpc::Role>(allowed);
    name = std::string(rpc);
    for (rpc::Role r : allowed) {
      if (r == rpc::Role::kAdmin) return absl::OkStatus();
    }
    return absl::PermissionDeniedError("not an admin");
  }
  mutable std::vector<rpc::Role> asked;
  mutable std::string name;
};

TEST(RoleAuthorizerTest, AgentsAreOpenReadsNeedVerifierOrAdminWritesAdmin) {
  RecordingAuthorizer roles;
  RoleAuthorizer authorizer(&roles);
  grpc::ServerContext context;
  for (RegistrarRpc open : {RegistrarRpc::kRegister, RegistrarRpc::kActivate}) {
    roles.asked.clear();
    EXPECT_TRUE(authorizer.Authorize(context, open).ok());
    EXPECT_THAT(roles.asked, IsEmpty()) << RpcName(open);
  }
  EXPECT_TRUE(
      authorizer.Authorize(context, RegistrarRpc::kGetRegisteredAgent).ok());
  EXPECT_THAT(roles.asked,
              ElementsAre(rpc::Role::kVerifier, rpc::Role::kAdmin));
  EXPECT_EQ(roles.name, "RegistrarService.GetRegisteredAgent");
  for (RegistrarRpc admin : {RegistrarRpc::kListRegisteredAgents,
                             RegistrarRpc::kDeleteRegisteredAgent}) {
    EXPECT_TRUE(authorizer.Authorize(context, admin).ok());
    EXPECT_THAT(roles.asked, ElementsAre(rpc::Role::kAdmin)) << RpcName(admin);
  }
}

}  // namespace
}  // namespace candor::registrar
