// VerifierService policy RPCs over gRPC: create/get/list/update/delete,
// content validation, agents_using counts and DeletePolicy's refusal.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/digest.h"
#include "services/verifier/admin/policy_admin.h"
#include "services/verifier/store/policy_validation.h"
#include "services/verifier/verifier_service_test_fixture.h"

namespace candor::verifier::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Stub = v1::VerifierService::Stub;

v1::CreatePolicyRequest CreateRequest(const std::string& name,
                                      v1::PolicyKind kind,
                                      const std::string& content) {
  v1::CreatePolicyRequest req;
  req.set_name(name);
  req.set_kind(kind);
  req.set_content(content);
  return req;
}

TEST_F(VerifierServiceTest, CreatePolicyStoresVersionOne) {
  v1::CreatePolicyRequest req =
      CreateRequest("web", v1::POLICY_KIND_RUNTIME, kRuntimePolicy);
  req.set_expected_sha256(crypto::Sha256(kRuntimePolicy));
  v1::PolicyVersion out;
  grpc::Status s = Call(&Stub::CreatePolicy, req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.name(), "web");
  EXPECT_EQ(out.kind(), v1::POLICY_KIND_RUNTIME);
  EXPECT_EQ(out.version(), 1u);
  EXPECT_EQ(out.sha256(), crypto::Sha256(kRuntimePolicy));
  EXPECT_EQ(out.size_bytes(), std::string(kRuntimePolicy).size());
  EXPECT_TRUE(out.has_created_at());
  EXPECT_EQ(out.agents_using(), 0u);
  EXPECT_EQ(Call(&Stub::CreatePolicy, req, &out).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(VerifierServiceTest, CreatePolicyErrors) {
  v1::PolicyVersion out;
  auto expect = [&](const v1::CreatePolicyRequest& req, const char* text) {
    grpc::Status s = Call(&Stub::CreatePolicy, req, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << text;
    EXPECT_THAT(s.error_message(), HasSubstr(text));
  };
  expect(CreateRequest("bad name", v1::POLICY_KIND_RUNTIME, kRuntimePolicy),
         "policy name");
  expect(CreateRequest("", v1::POLICY_KIND_RUNTIME, kRuntimePolicy),
         "policy name");
  expect(CreateRequest("p", v1::POLICY_KIND_UNSPECIFIED, kRuntimePolicy),
         "policy kind");
  expect(CreateRequest("p", v1::POLICY_KIND_RUNTIME,
                       R"({"meta": {"version": 1}, "verification-keys": 1})"),
         "verification-keys: must be a string");
  expect(CreateRequest("p", v1::POLICY_KIND_BOOT, "not json"), "boot policy");
  v1::CreatePolicyRequest sha =
      CreateRequest("p", v1::POLICY_KIND_RUNTIME, kRuntimePolicy);
  sha.set_expected_sha256(crypto::Sha256("other"));
  expect(sha, "expected_sha256");
  v1::ListPoliciesResponse list;
  ASSERT_TRUE(Call(&Stub::ListPolicies, v1::ListPoliciesRequest(), &list).ok());
  EXPECT_EQ(list.policies_size(), 0);
}

TEST_F(VerifierServiceTest, PolicyContentOver100MiBIsRefusedBeforeParsing) {
  PolicyAdmin admin(&policies_, &agents_);
  v1::CreatePolicyRequest req;
  req.set_name("huge");
  req.set_kind(v1::POLICY_KIND_RUNTIME);
  req.mutable_content()->assign(kMaxPolicyContentBytes + 1, ' ');
  auto r = admin.Create(req);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("104857601 bytes"));
}

TEST_F(VerifierServiceTest, GetPolicyVersionsContentAndAgentsUsing) {
  CreatePolicy("web", v1::POLICY_KIND_RUNTIME);
  // Two agents: one follows the latest version, one pins version 1.
  Register("follower");
  Register("pinned");
  v1::AddAgentRequest follow = AddRequest("follower");
  follow.mutable_agent()->mutable_runtime_policy()->set_name("web");
  v1::AddAgentRequest pin = AddRequest("pinned");
  pin.mutable_agent()->mutable_runtime_policy()->set_name("web");
  pin.mutable_agent()->mutable_runtime_policy()->set_version(1);
  v1::Agent agent;
  ASSERT_TRUE(AddAgent(follow, &agent).ok());
  ASSERT_TRUE(AddAgent(pin, &agent).ok());

  v1::GetPolicyRequest get;
  get.set_name("web");
  v1::GetPolicyResponse out;
  ASSERT_TRUE(Call(&Stub::GetPolicy, get, &out).ok());
  EXPECT_EQ(out.policy().version(), 1u);
  EXPECT_EQ(out.policy().agents_using(), 2u);
  EXPECT_TRUE(out.content().empty());

  v1::UpdatePolicyRequest update;
  update.set_name("web");
  const std::string v2 = R"({"meta": {"version": 1}, "excludes": ["/var/"]})";
  update.set_content(v2);
  v1::PolicyVersion updated;
  ASSERT_TRUE(Call(&Stub::UpdatePolicy, update, &updated).ok());
  EXPECT_EQ(updated.version(), 2u);
  EXPECT_EQ(updated.agents_using(), 1u);  // the follower

  get.set_version(1);
  get.set_include_content(true);
  ASSERT_TRUE(Call(&Stub::GetPolicy, get, &out).ok());
  EXPECT_EQ(out.policy().version(), 1u);
  EXPECT_EQ(out.policy().agents_using(), 1u);  // the pinned one
  EXPECT_EQ(out.content(), kRuntimePolicy);
  get.set_version(0);
  ASSERT_TRUE(Call(&Stub::GetPolicy, get, &out).ok());
  EXPECT_EQ(out.policy().version(), 2u);
  EXPECT_EQ(out.content(), v2);

  get.set_version(3);
  EXPECT_EQ(Call(&Stub::GetPolicy, get, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  get.set_name("absent");
  get.set_version(0);
  EXPECT_EQ(Call(&Stub::GetPolicy, get, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  get.set_name("bad/name");
  EXPECT_EQ(Call(&Stub::GetPolicy, get, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(VerifierServiceTest, UpdatePolicyRules) {
  CreatePolicy("web", v1::POLICY_KIND_RUNTIME);
  v1::UpdatePolicyRequest req;
  req.set_name("web");
  req.set_content(kRuntimePolicy);  // same content: no new version
  v1::PolicyVersion out;
  ASSERT_TRUE(Call(&Stub::UpdatePolicy, req, &out).ok());
  EXPECT_EQ(out.version(), 1u);
  // Validated against the existing kind (RUNTIME): a boot document fails.
  req.set_content(R"({"policy": 5})");
  grpc::Status s = Call(&Stub::UpdatePolicy, req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  req.set_content(kRuntimePolicy);
  req.set_expected_sha256(std::string(32, '\0'));
  EXPECT_EQ(Call(&Stub::UpdatePolicy, req, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  req.set_name("absent");
  req.clear_expected_sha256();
  EXPECT_EQ(Call(&Stub::UpdatePolicy, req, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(VerifierServiceTest, ListPoliciesByKindAndPage) {
  CreatePolicy("b-boot", v1::POLICY_KIND_BOOT);
  CreatePolicy("a-rt", v1::POLICY_KIND_RUNTIME);
  CreatePolicy("c-rt", v1::POLICY_KIND_RUNTIME);
  AddAgent("node1");
  v1::UpdateAgentRequest use;
  use.mutable_agent()->set_agent_id("node1");
  use.mutable_agent()->mutable_runtime_policy()->set_name("c-rt");
  use.mutable_update_mask()->add_paths("runtime_policy");
  v1::Agent agent;
  ASSERT_TRUE(Call(&Stub::UpdateAgent, use, &agent).ok());

  v1::ListPoliciesRequest req;
  req.set_kind(v1::POLICY_KIND_RUNTIME);
  req.set_page_size(1);
  v1::ListPoliciesResponse page;
  ASSERT_TRUE(Call(&Stub::ListPolicies, req, &page).ok());
  ASSERT_EQ(page.policies_size(), 1);
  EXPECT_EQ(page.policies(0).name(), "a-rt");
  EXPECT_EQ(page.policies(0).agents_using(), 0u);
  req.set_page_token(page.next_page_token());
  ASSERT_TRUE(Call(&Stub::ListPolicies, req, &page).ok());
  ASSERT_EQ(page.policies_size(), 1);
  EXPECT_EQ(page.policies(0).name(), "c-rt");
  EXPECT_EQ(page.policies(0).agents_using(), 1u);

  v1::ListPoliciesRequest all;
  ASSERT_TRUE(Call(&Stub::ListPolicies, all, &page).ok());
  EXPECT_EQ(page.policies_size(), 3);
  all.set_page_token("nonsense");
  EXPECT_EQ(Call(&Stub::ListPolicies, all, &page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(VerifierServiceTest, DeletePolicyRefusedWhileAgentsUseIt) {
  CreatePolicy("web", v1::POLICY_KIND_RUNTIME);
  for (int i = 0; i < 12; ++i) {
    const std::string id = absl::StrCat("node", i < 10 ? "0" : "", i);
    Register(id);
    v1::AddAgentRequest req = AddRequest(id);
    req.mutable_agent()->mutable_runtime_policy()->set_name("web");
    v1::Agent out;
    ASSERT_TRUE(AddAgent(req, &out).ok());
  }
  v1::DeletePolicyRequest del;
  del.set_name("web");
  v1::DeletePolicyResponse out;
  grpc::Status s = Call(&Stub::DeletePolicy, del, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("node00, node01"));
  EXPECT_THAT(s.error_message(), HasSubstr("node09 and more"));
  EXPECT_THAT(s.error_message(), Not(HasSubstr("node10")));

  // Drop the reference from all but one agent: the refusal names it alone.
  for (int i = 1; i < 12; ++i) {
    v1::DeleteAgentRequest d;
    d.set_agent_id(absl::StrCat("node", i < 10 ? "0" : "", i));
    v1::DeleteAgentResponse r;
    ASSERT_TRUE(Call(&Stub::DeleteAgent, d, &r).ok());
  }
  s = Call(&Stub::DeletePolicy, del, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("used by agent node00:"));

  v1::UpdateAgentRequest drop;
  drop.mutable_agent()->set_agent_id("node00");
  drop.mutable_update_mask()->add_paths("runtime_policy");
  v1::Agent agent;
  ASSERT_TRUE(Call(&Stub::UpdateAgent, drop, &agent).ok());
  ASSERT_TRUE(Call(&Stub::DeletePolicy, del, &out).ok());
  v1::GetPolicyRequest get;
  get.set_name("web");
  v1::GetPolicyResponse got;
  EXPECT_EQ(Call(&Stub::GetPolicy, get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Call(&Stub::DeletePolicy, del, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  del.set_name("");
  EXPECT_EQ(Call(&Stub::DeletePolicy, del, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace candor::verifier::testing
