// File: lib/policy/boot/testing/fixtures.h
//
// Test-only: the Keylime event-log fixtures (tests/testdata/keylime,
// //tests/testdata:keylime_event_logs) parsed, and reference states made
// from them. Paths are relative to the runfiles root (the test's working
// directory). Aborts the test (ADD_FAILURE + empty result) when a fixture
// does not parse.
#ifndef CANDOR_LIB_POLICY_BOOT_TESTING_FIXTURES_H_
#define CANDOR_LIB_POLICY_BOOT_TESTING_FIXTURES_H_

#include <string>

#include "lib/eventlog/event_log.h"
#include "lib/policy/boot/reference_state.h"

namespace candor::policy::testing {

// create-mb-policy/binary_bios_measurements: Secure Boot off, sha1+sha256.
inline constexpr char kPlainLog[] =
    "tests/testdata/keylime/create-mb-policy/binary_bios_measurements";
// create-mb-policy/binary_bios_measurements-secureboot: on, sha256 only.
inline constexpr char kSecureBootLog[] =
    "tests/testdata/keylime/create-mb-policy/"
    "binary_bios_measurements-secureboot";

std::string ReadFile(const std::string& path);
eventlog::EventLog LoadLog(const std::string& path);
// CreateReferenceState(LoadLog(path)), without Secure Boot allowed.
ReferenceState StateFor(const eventlog::EventLog& log);

}  // namespace candor::policy::testing

#endif  // CANDOR_LIB_POLICY_BOOT_TESTING_FIXTURES_H_
