// File: lib/ima/template_data.h
//
// The template data of a parsed entry: the exact bytes the kernel hashes for
// the template hash and for the PCR-10 extend (ima_calc_field_array_hash_tfm
// in security/integrity/ima/ima_crypto.c). Lengths are little-endian, as on
// x86 and as every kernel writes them with ima_canonical_fmt.
//   ima         d (raw digest, no length) || n (name, NUL, zero-padded to
//               256 bytes, no length)
//   other       for each field: le32(len) || data, where
//                 d-ng / d-modsig  "<algo>" ':' '\0' <digest>  (empty
//                                  d-modsig: length 0)
//                 n-ng             <name> '\0'
//                 sig, modsig, buf the decoded bytes (possibly none)
// Thread-safe (no shared state).
#ifndef CANDOR_LIB_IMA_TEMPLATE_DATA_H_
#define CANDOR_LIB_IMA_TEMPLATE_DATA_H_

#include <string>

#include "lib/ima/entry.h"

namespace candor::ima {

// Replaces `*out` with the template data of `entry`, which ParseLine
// accepted (its hex fields are valid, so this cannot fail). Reusing one
// `out` across entries avoids allocations once its capacity suffices.
void BuildTemplateData(const Entry& entry, std::string* out);

}  // namespace candor::ima

#endif  // CANDOR_LIB_IMA_TEMPLATE_DATA_H_
