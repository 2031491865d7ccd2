// File: lib/convert/pcr_convert.h
//
// candor.v1 PCR messages <-> lib/tpm/pcr_values.h types, shared by the agent
// (answering GetQuote) and the verifier (checking it). Everything coming from
// the wire is validated: unknown or unspecified banks, a bank listed twice,
// PCR indexes over 23 and digests of the wrong size are INVALID_ARGUMENT
// naming the field and index.
#ifndef CANDOR_LIB_CONVERT_PCR_CONVERT_H_
#define CANDOR_LIB_CONVERT_PCR_CONVERT_H_

#include <tss2/tss2_tpm2_types.h>

#include "absl/status/statusor.h"
#include "candor/v1/common.pb.h"
#include "google/protobuf/repeated_field.h"
#include "lib/tpm/pcr_values.h"

namespace candor::convert {

absl::StatusOr<TPM2_ALG_ID> BankFromProto(v1::HashAlgorithm alg);
absl::StatusOr<v1::HashAlgorithm> BankToProto(TPM2_ALG_ID bank);

// PCR indexes are sorted and deduplicated.
absl::StatusOr<tpm::PcrSelection> SelectionFromProto(
    const google::protobuf::RepeatedPtrField<v1::PcrSelection>& selections);
absl::StatusOr<google::protobuf::RepeatedPtrField<v1::PcrSelection>>
SelectionToProto(const tpm::PcrSelection& selection);

absl::StatusOr<tpm::PcrValues> ValuesFromProto(const v1::PcrValues& values);
absl::StatusOr<v1::PcrValues> ValuesToProto(const tpm::PcrValues& values);

}  // namespace candor::convert

#endif  // CANDOR_LIB_CONVERT_PCR_CONVERT_H_
