#include "lib/policy/boot/testing/fixtures.h"

#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "lib/policy/boot/create.h"

namespace candor::policy::testing {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

eventlog::EventLog LoadLog(const std::string& path) {
  auto log = eventlog::EventLog::Parse(ReadFile(path));
  if (!log.ok()) {
    ADD_FAILURE() << path << ": " << log.status();
    return eventlog::EventLog();
  }
  return *std::move(log);
}

ReferenceState StateFor(const eventlog::EventLog& log) {
  ReferenceStateOptions opts;
  opts.allow_without_secureboot = true;
  auto state = CreateReferenceState(log, opts);
  if (!state.ok()) {
    ADD_FAILURE() << state.status();
    return ReferenceState();
  }
  return *std::move(state);
}

}  // namespace candor::policy::testing
