#include "tests/harness/resources.h"

#include <cstdlib>
#include <string>

namespace candor::testing {

bool InCi() {
  const char* ci = std::getenv("CI");
  if (ci == nullptr) return false;
  std::string v(ci);
  return v == "true" || v == "1" || v == "TRUE" || v == "True";
}

std::string TestTmpRoot() {
  const char* t = std::getenv("TEST_TMPDIR");
  return (t != nullptr && *t != '\0') ? std::string(t) : std::string("/tmp");
}

}  // namespace candor::testing
