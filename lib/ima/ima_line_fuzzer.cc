// Fuzzes what an agent controls in an IMA log: each input line is parsed,
// its template data rebuilt and its signature header parsed, and the lines
// are replayed offline (every template hash checked) and against a quote
// (extend-mode detection), on SHA-256 and SHA-1.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "lib/ima/entry.h"
#include "lib/ima/hex.h"
#include "lib/ima/replay.h"
#include "lib/ima/signature.h"
#include "lib/ima/template_data.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace candor::ima;  // NOLINT
  absl::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<absl::string_view> lines;
  size_t start = 0;
  while (start < in.size() && lines.size() < 64) {
    size_t nl = in.find('\n', start);
    if (nl == absl::string_view::npos) nl = in.size();
    lines.push_back(in.substr(start, nl - start));
    start = nl + 1;
  }
  std::string td, sig;
  for (size_t i = 0; i < lines.size(); ++i) {
    Entry e;
    if (!ParseLine(lines[i], i + 1, &e).ok()) continue;
    BuildTemplateData(e, &td);
    if (!e.sig_hex.empty()) {
      sig.resize(e.sig_hex.size() / 2);
      HexDecodeTo(e.sig_hex, reinterpret_cast<uint8_t*>(&sig[0]));
      (void)ParseSignatureV2(sig);
    }
  }
  auto visit = [](const Entry&, uint64_t, absl::string_view) {};
  for (TPM2_ALG_ID bank : {TPM2_ALG_SHA256, TPM2_ALG_SHA1}) {
    std::vector<candor::v1::Failure> findings;
    absl::StatusOr<ReplayState> s = ReplayState::AtBoot(bank);
    if (!s.ok()) return 0;
    (void)Replay(*s, lines, {}, visit, &findings);
    ReplayOptions quoted;
    quoted.quoted_pcr10.assign(s->pcr10.size(), '\x5a');
    (void)Replay(*s, lines, quoted, visit, &findings);
  }
  return 0;
}
