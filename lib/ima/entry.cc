#include "lib/ima/entry.h"

#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/failure/catalogue.h"
#include "lib/ima/hex.h"

namespace candor::ima {
namespace {

// A field for an error message: C-escaped, at most 80 bytes of it.
std::string Show(absl::string_view field) {
  constexpr size_t kMax = 80;
  if (field.size() <= kMax)
    return absl::StrCat("'", absl::CHexEscape(field), "'");
  return absl::StrCat("'", absl::CHexEscape(field.substr(0, kMax)), "...' (",
                      field.size(), " bytes)");
}

absl::Status Malformed(uint64_t line_number, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("line ", line_number, ": ", what));
}

bool AllBytesAre(const uint8_t* p, size_t n, uint8_t v) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != v) return false;
  }
  return true;
}

// Parses "<algo>:<hex>" (d-ng, d-modsig) into `name` and `*d`. A violation
// entry may carry kViolationDigestSize bytes whatever the algorithm.
absl::Status ParseDigestNg(absl::string_view field, absl::string_view what,
                           bool violation, uint64_t line_number,
                           absl::string_view* name, Digest* d) {
  const size_t colon = field.find(':');
  if (colon == absl::string_view::npos) {
    return Malformed(line_number, absl::StrCat(what, " ", Show(field),
                                               " has no '<algorithm>:'"));
  }
  *name = field.substr(0, colon);
  absl::string_view hex = field.substr(colon + 1);
  d->algo = HashAlgoFromName(*name);
  if (d->algo == HashAlgo::kUnknown) {
    return Malformed(
        line_number,
        absl::StrCat(what, " uses an unsupported digest algorithm ",
                     Show(*name)));
  }
  const size_t want = HashAlgoSize(d->algo);
  const size_t got = hex.size() / 2;
  if (hex.size() % 2 != 0 ||
      (got != want && !(violation && got == kViolationDigestSize))) {
    return Malformed(line_number,
                     absl::StrCat(what, " has ", hex.size(), " hex digits; ",
                                  *name, " needs ", 2 * want));
  }
  if (!HexDecodeTo(hex, d->bytes)) {
    return Malformed(line_number,
                     absl::StrCat(what, " ", Show(hex), " is not hex"));
  }
  d->size = static_cast<uint8_t>(got);
  return absl::OkStatus();
}

absl::Status CheckHexField(absl::string_view hex, absl::string_view what,
                           uint64_t line_number) {
  if (!IsHex(hex)) {
    return Malformed(line_number,
                     absl::StrCat(what, " field ", Show(hex), " is not hex"));
  }
  return absl::OkStatus();
}

// Splits off the last space-separated field of `*rest`.
bool SplitLast(absl::string_view* rest, absl::string_view* last) {
  const size_t sp = rest->rfind(' ');
  if (sp == absl::string_view::npos) return false;
  *last = rest->substr(sp + 1);
  *rest = rest->substr(0, sp);
  return true;
}

}  // namespace

absl::string_view TemplateName(Template t) {
  switch (t) {
    case Template::kIma:
      return "ima";
    case Template::kImaNg:
      return "ima-ng";
    case Template::kImaSig:
      return "ima-sig";
    case Template::kImaModsig:
      return "ima-modsig";
    case Template::kImaBuf:
      return "ima-buf";
  }
  return "?";
}

absl::string_view ParseFailureId(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnimplemented
             ? failure::kImaUnsupportedTemplate
             : failure::kImaLogMalformed;
}

absl::Status ParseLine(absl::string_view line, uint64_t line_number, Entry* e,
                       HashAlgo template_hash_algo) {
  if (line.empty()) return Malformed(line_number, "empty line");
  if (line.find('\n') != absl::string_view::npos) {
    return Malformed(line_number, "contains a newline");
  }
  // <pcr>
  const size_t sp1 = line.find(' ');
  if (sp1 == absl::string_view::npos) {
    return Malformed(line_number, "has no fields after the PCR number");
  }
  absl::string_view pcr = line.substr(0, sp1);
  if (pcr.empty() || pcr.size() > 2 || pcr[0] < '0' || pcr[0] > '9' ||
      (pcr.size() == 2 && (pcr[1] < '0' || pcr[1] > '9'))) {
    return Malformed(line_number,
                     absl::StrCat("PCR ", Show(pcr), " is not a PCR number"));
  }
  e->pcr =
      pcr.size() == 1 ? pcr[0] - '0' : (pcr[0] - '0') * 10 + (pcr[1] - '0');
  if (e->pcr > 23) {
    return Malformed(line_number, absl::StrCat("PCR ", e->pcr, " is not 0-23"));
  }
  // <template hash>
  const size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == absl::string_view::npos) {
    return Malformed(line_number, "ends after the template hash");
  }
  absl::string_view th = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const size_t th_size = HashAlgoSize(template_hash_algo);
  if (th.size() != 2 * th_size) {
    return Malformed(
        line_number,
        absl::StrCat("template hash ", Show(th), " has ", th.size(),
                     " hex digits; ", HashAlgoName(template_hash_algo),
                     " needs ", 2 * th_size));
  }
  if (!HexDecodeTo(th, e->template_hash)) {
    return Malformed(line_number,
                     absl::StrCat("template hash ", Show(th), " is not hex"));
  }
  e->template_hash_size = static_cast<uint8_t>(th_size);
  e->violation = AllBytesAre(e->template_hash, th_size, 0x00);
  e->template_hash_all_ff = AllBytesAre(e->template_hash, th_size, 0xFF);
  // <template name>
  const size_t sp3 = line.find(' ', sp2 + 1);
  absl::string_view name = line.substr(sp2 + 1, sp3 == absl::string_view::npos
                                                    ? absl::string_view::npos
                                                    : sp3 - sp2 - 1);
  if (name == "ima-ng") {
    e->tmpl = Template::kImaNg;
  } else if (name == "ima-sig") {
    e->tmpl = Template::kImaSig;
  } else if (name == "ima") {
    e->tmpl = Template::kIma;
  } else if (name == "ima-buf") {
    e->tmpl = Template::kImaBuf;
  } else if (name == "ima-modsig") {
    e->tmpl = Template::kImaModsig;
  } else {
    return absl::UnimplementedError(absl::StrCat(
        "line ", line_number, ": template ", Show(name),
        " is not supported (ima, ima-ng, ima-sig, ima-modsig, ima-buf)"));
  }
  if (sp3 == absl::string_view::npos) {
    return Malformed(line_number, "ends after the template name");
  }
  absl::string_view rest = line.substr(sp3 + 1);

  // Trailing hex fields, from the end of the line.
  e->sig_hex = e->modsig_hex = e->buf_hex = e->modsig_digest_field =
      absl::string_view();
  e->modsig_algo_name = absl::string_view();
  e->modsig_digest.size = 0;
  e->modsig_digest.algo = HashAlgo::kUnknown;
  const absl::string_view tname = TemplateName(e->tmpl);
  switch (e->tmpl) {
    case Template::kImaModsig: {
      if (!SplitLast(&rest, &e->modsig_hex) ||
          !SplitLast(&rest, &e->modsig_digest_field) ||
          !SplitLast(&rest, &e->sig_hex)) {
        return Malformed(line_number,
                         "ima-modsig needs 5 fields (d-ng n-ng sig d-modsig "
                         "modsig)");
      }
      break;
    }
    case Template::kImaSig:
      if (!SplitLast(&rest, &e->sig_hex)) {
        return Malformed(line_number,
                         "ima-sig needs 3 fields (d-ng n-ng sig); an unsigned "
                         "entry ends with '<path> '");
      }
      break;
    case Template::kImaBuf:
      if (!SplitLast(&rest, &e->buf_hex)) {
        return Malformed(line_number, "ima-buf needs 3 fields (d-ng n-ng buf)");
      }
      break;
    default:
      break;
  }
  // d / d-ng, then the name: everything up to the trailing fields.
  const size_t sp4 = rest.find(' ');
  if (sp4 == absl::string_view::npos) {
    return Malformed(
        line_number,
        absl::StrCat(tname, " entry has too few fields (no name)"));
  }
  e->digest_field = rest.substr(0, sp4);
  e->path = rest.substr(sp4 + 1);
  if (e->tmpl == Template::kIma) {
    absl::string_view hex = e->digest_field;
    const size_t size = hex.size() / 2;
    if (hex.size() % 2 != 0 || (size != 20 && size != 16)) {
      return Malformed(line_number, absl::StrCat("ima digest ", Show(hex),
                                                 " has ", hex.size(),
                                                 " hex digits; needs 40 (sha1) "
                                                 "or 32 (md5)"));
    }
    if (!HexDecodeTo(hex, e->digest.bytes)) {
      return Malformed(line_number,
                       absl::StrCat("ima digest ", Show(hex), " is not hex"));
    }
    e->digest.size = static_cast<uint8_t>(size);
    e->digest.algo = size == 20 ? HashAlgo::kSha1 : HashAlgo::kMd5;
    e->algo_name = absl::string_view();
    if (e->path.size() > kImaNameMax) {
      return Malformed(line_number,
                       absl::StrCat("ima name has ", e->path.size(),
                                    " bytes; the template's n field holds at "
                                    "most 255 (the kernel records the file's "
                                    "base name or truncates)"));
    }
  } else {
    absl::Status s = ParseDigestNg(e->digest_field, "d-ng", e->violation,
                                   line_number, &e->algo_name, &e->digest);
    if (!s.ok()) return s;
  }
  if (e->path.find('\0') != absl::string_view::npos) {
    return Malformed(line_number, "name contains a NUL byte");
  }
  switch (e->tmpl) {
    case Template::kImaSig:
      return CheckHexField(e->sig_hex, "sig", line_number);
    case Template::kImaBuf:
      return CheckHexField(e->buf_hex, "buf", line_number);
    case Template::kImaModsig: {
      absl::Status s = CheckHexField(e->sig_hex, "sig", line_number);
      if (!s.ok()) return s;
      s = CheckHexField(e->modsig_hex, "modsig", line_number);
      if (!s.ok()) return s;
      if (e->modsig_digest_field.empty()) {
        if (!e->modsig_hex.empty()) {
          return Malformed(line_number, "modsig present without d-modsig");
        }
        return absl::OkStatus();
      }
      return ParseDigestNg(e->modsig_digest_field, "d-modsig", e->violation,
                           line_number, &e->modsig_algo_name,
                           &e->modsig_digest);
    }
    default:
      return absl::OkStatus();
  }
}

}  // namespace candor::ima
