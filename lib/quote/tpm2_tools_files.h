// File: lib/quote/tpm2_tools_files.h
//
// The files `tpm2_quote -m MSG -s SIG -o PCRS` (tpm2-tools 5.x) writes, for
// `tenant quote check` and tests. Found by experiment with tpm2-tools 5.4 on
// swtpm and read in its source (lib/pcr.c, tools/tpm2_quote.c):
//
//  - MSG: the TPMS_ATTEST bytes (TPM2B_ATTEST.attestationData) *without* the
//    TPM2B size: exactly Quote.attest. A TPM2B_ATTEST (with a size equal to
//    the rest of the file) is also accepted, since other tools write those.
//  - SIG: the TPMT_SIGNATURE as marshalled (`-f tss`, the default).
//  - PCRS, `-F serialized` (the default): the tools' in-memory structs,
//    little-endian, x86-64/aarch64 layout of tpm2-tss 3.x:
//      TPML_PCR_SELECTION  132 bytes: count u32; 16 x {hash u16,
//                          sizeofSelect u8, pcrSelect[4], 1 pad byte}
//      n                   u32, the number of TPML_DIGEST that follow
//      n x TPML_DIGEST     532 bytes each: count u32 (<= 8); 8 x {size u16,
//                          buffer[64]}
//    The digests, in list order, are the selected PCRs' values in selection
//    order (banks in order, PCRs ascending), up to 8 per TPM2_PCR_Read.
//    Unused slots and padding are ignored.
//  - PCRS, `-F marshaled` (tpm2-tools 5.5 and later): the same three items as
//    tss2 marshals them (big-endian, no padding).
//  - PCRS, `-F values`: only the values, concatenated in selection order;
//    the selection must come from elsewhere (the quote).
//
// Parsing is strict: the file size must be exactly what its counts say,
// counts within the structures' bounds, banks known (lib/tpm), each bank at
// most once, each digest of its bank's size, and as many digests as selected
// PCRs. INVALID_ARGUMENT names the field and offset otherwise.
// Pure functions, thread-safe.
#ifndef CANDOR_LIB_QUOTE_TPM2_TOOLS_FILES_H_
#define CANDOR_LIB_QUOTE_TPM2_TOOLS_FILES_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/tpm/pcr_values.h"

namespace candor::quote {

enum class PcrsFormat { kSerialized, kMarshaled, kValues };

// "serialized", "marshaled" or "values" (tpm2_quote -F spellings).
absl::StatusOr<PcrsFormat> ParsePcrsFormat(absl::string_view name);

struct Tpm2ToolsPcrs {
  tpm::PcrSelection selection;  // as the file lists it
  tpm::PcrValues values;
};

// Parses a PCRS file. `selection` is used only by kValues (where it is
// required and returned as is).
absl::StatusOr<Tpm2ToolsPcrs> ParseTpm2ToolsPcrs(
    absl::string_view file, PcrsFormat format,
    const tpm::PcrSelection& selection = {});

// The TPMS_ATTEST inside a MSG file: the file itself, or the file without a
// leading TPM2B size when it is a TPM2B_ATTEST of a TPMS_ATTEST. Anything
// else is returned unchanged, for the verifier to call quote.malformed.
absl::string_view AttestFromTpm2ToolsMessage(absl::string_view file);

}  // namespace candor::quote

#endif  // CANDOR_LIB_QUOTE_TPM2_TOOLS_FILES_H_
