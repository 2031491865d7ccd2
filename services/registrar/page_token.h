// File: services/registrar/page_token.h
//
// ListRegisteredAgents page tokens: opaque to clients (web-safe base64),
// holding the state filter they were issued for and the last agent id of the
// page (paging is keyset paging on agent_id, so a page never repeats or skips
// an id that existed for the whole listing, whatever happens in between).
// Pure and thread-safe.
#ifndef CANDOR_SERVICES_REGISTRAR_PAGE_TOKEN_H_
#define CANDOR_SERVICES_REGISTRAR_PAGE_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "candor/v1/registrar.pb.h"

namespace candor::registrar {

std::string EncodePageToken(v1::RegistrationState filter,
                            absl::string_view last_agent_id);

// The last agent id of the previous page. INVALID_ARGUMENT when the token is
// malformed or was issued with another filter.
absl::StatusOr<std::string> DecodePageToken(absl::string_view token,
                                            v1::RegistrationState filter);

}  // namespace candor::registrar

#endif  // CANDOR_SERVICES_REGISTRAR_PAGE_TOKEN_H_
