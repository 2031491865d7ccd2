// File: cli/tenant/version.h
#ifndef CANDOR_CLI_TENANT_VERSION_H_
#define CANDOR_CLI_TENANT_VERSION_H_

namespace candor::tenant {

inline constexpr char kVersion[] = "0.1.0-dev";
inline constexpr char kApiPackage[] = "candor.v1";

}  // namespace candor::tenant

#endif  // CANDOR_CLI_TENANT_VERSION_H_
