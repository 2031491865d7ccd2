#include "tests/integration/registrar/tpm_tools.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "tests/harness/subprocess.h"
#include "tests/harness/temp_dir.h"

namespace candor::testing {
namespace {

constexpr char kToolDir[] = "/usr/bin/";

// TCG EK Credential Profile 2.3, policy digests for the SHA-384 EK.
constexpr char kPolicyA384[] =
    "8bbf2266537c171cb56e403c4dc1d4b64f432611dc386e6f532050c3278c930e143e8bb1"
    "133824ccb431053871c6db53";
constexpr char kPolicyC384[] =
    "d6032ce61f2fb3c240eb3cf6a33237ef2b6a16f4293c22b455e261cffd217ad5b4947c2d"
    "73e63005eed2dc2b3593d165";

const char* Handle(TpmEk ek) {
  return ek == TpmEk::kRsa ? "0x81010001" : "0x81010016";
}

absl::StatusOr<std::string> Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  if (!in || !(ss << in.rdbuf())) {
    return absl::NotFoundError(absl::StrCat("cannot read ", path));
  }
  return ss.str();
}

std::string Be32(uint32_t v) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
  return std::string(b, 4);
}

}  // namespace

absl::Status RequireTpm2Tools() {
  for (const char* tool :
       {"tpm2_readpublic", "tpm2_createak", "tpm2_activatecredential",
        "tpm2_startauthsession", "tpm2_policysecret", "tpm2_policyor",
        "tpm2_flushcontext"}) {
    const std::string path = absl::StrCat(kToolDir, tool);
    if (access(path.c_str(), X_OK) != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          path,
          " is missing: install tpm2-tools (apt-get install tpm2-tools)"));
    }
  }
  return absl::OkStatus();
}

absl::Status TpmTools::Tool(const std::vector<std::string>& args) {
  SubprocessOptions o;
  o.argv = args;
  o.argv[0] = absl::StrCat(kToolDir, args[0]);
  o.extra_env = {absl::StrCat("TPM2TOOLS_TCTI=", tcti_)};
  o.working_dir = dir_;
  o.stdout_path = Path(absl::StrCat("tool.", runs_++, ".log"));
  return RunCommand(o, absl::Seconds(60));
}

absl::Status TpmTools::Run(const std::vector<std::string>& args) {
  absl::Status s = Tool(args);
  // No resource manager: never leave objects or sessions behind.
  Tool({"tpm2_flushcontext", "-t"}).IgnoreError();
  Tool({"tpm2_flushcontext", "-s"}).IgnoreError();
  return s;
}

absl::StatusOr<std::string> TpmTools::EkPublic(TpmEk ek) {
  const std::string file = absl::StrCat("ek-", Handle(ek), ".pub");
  absl::Status s =
      Run({"tpm2_readpublic", "-c", Handle(ek), "-f", "tss", "-o", file});
  if (!s.ok()) return s;
  return Slurp(Path(file));
}

absl::StatusOr<TpmTools::Ak> TpmTools::CreateAk(TpmEk ek, bool ecc,
                                                const std::string& label) {
  Ak ak;
  ak.context = label + ".ctx";
  absl::Status s = Run({"tpm2_createak", "-C", Handle(ek), "-c", ak.context,
                        "-G", ecc ? "ecc" : "rsa", "-g", "sha256", "-s",
                        ecc ? "ecdsa" : "rsassa", "-u", label + ".pub", "-f",
                        "tss", "-n", label + ".name", "-r", label + ".priv"});
  if (!s.ok()) return s;
  auto pub = Slurp(Path(label + ".pub"));
  if (!pub.ok()) return pub.status();
  auto name = Slurp(Path(label + ".name"));
  if (!name.ok()) return name.status();
  ak.pub = *pub;
  ak.name = *name;
  return ak;
}

absl::StatusOr<std::string> TpmTools::ActivateCredential(
    TpmEk ek, const Ak& ak, const std::string& credential_blob,
    const std::string& encrypted_secret) {
  // tpm2_makecredential's file format: magic, version, then the two TPM2Bs.
  const std::string in = absl::StrCat(Be32(0xBADCC0DE), Be32(1),
                                      credential_blob, encrypted_secret);
  absl::Status s = WriteFile(Path("cred.in"), in);
  if (!s.ok()) return s;
  unlink(Path("cred.out").c_str());
  const bool ecc = ek == TpmEk::kEcc;
  s = Tool({"tpm2_startauthsession", "--policy-session", "-g",
            ecc ? "sha384" : "sha256", "-S", "session.ctx"});
  if (s.ok()) s = Tool({"tpm2_policysecret", "-S", "session.ctx", "-c", "e"});
  if (s.ok() && ecc) {
    s = WriteFile(Path("policy_a.bin"), absl::HexStringToBytes(kPolicyA384));
    if (s.ok()) {
      s = WriteFile(Path("policy_c.bin"), absl::HexStringToBytes(kPolicyC384));
    }
    if (s.ok()) {
      s = Tool({"tpm2_policyor", "-S", "session.ctx", "-l",
                "sha384:policy_a.bin,policy_c.bin"});
    }
  }
  if (s.ok()) {
    s = Tool({"tpm2_activatecredential", "-c", ak.context, "-C", Handle(ek),
              "-i", "cred.in", "-o", "cred.out", "-P", "session:session.ctx"});
  }
  Tool({"tpm2_flushcontext", "session.ctx"}).IgnoreError();
  Tool({"tpm2_flushcontext", "-t"}).IgnoreError();
  Tool({"tpm2_flushcontext", "-s"}).IgnoreError();
  if (!s.ok()) return s;
  return Slurp(Path("cred.out"));
}

}  // namespace candor::testing
